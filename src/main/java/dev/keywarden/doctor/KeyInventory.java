package dev.keywarden.doctor;

import java.util.List;

/**
 * The provider keys of the deployment as far as the doctor could read them.
 *
 * @param known  whether a list could be read (false with the vault off, no store yet, or an unreachable gateway)
 * @param keys   every stored key of every environment; empty when not known
 * @param where  where the list came from (a store location or an admin URL), for messages
 * @param reason why the list is not known; empty when known
 */
public record KeyInventory(boolean known, List<KeyFact> keys, String where, String reason) {

    public static KeyInventory of(List<KeyFact> keys, String where) {
        return new KeyInventory(true, List.copyOf(keys), where, "");
    }

    public static KeyInventory unknown(String reason) {
        return new KeyInventory(false, List.of(), "", reason);
    }
}
