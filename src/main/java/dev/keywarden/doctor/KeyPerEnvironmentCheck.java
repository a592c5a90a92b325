package dev.keywarden.doctor;

import dev.keywarden.config.KeywardenConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Every environment (dev, staging, prod) has its own provider keys: the same key (same SHA-256
 * fingerprint) stored in two environments, or a plaintext key that is one of another environment's
 * stored keys, is a FAIL. Keys revoked or compromised everywhere are ignored.
 */
final class KeyPerEnvironmentCheck implements Check {

    @Override
    public String id() {
        return "keys-per-environment";
    }

    @Override
    public String title() {
        return "Separate provider keys per environment";
    }

    @Override
    public CheckResult run(DoctorInput input) {
        KeyInventory inventory = input.keys();
        if (!inventory.known()) {
            return warn("cannot compare keys across environments: " + inventory.reason(),
                    "keep keys in the vault (vault.kek) with one vault.key_environment per deployment, then run doctor again");
        }
        Map<String, List<KeyFact>> bySha = new LinkedHashMap<>();
        for (KeyFact k : inventory.keys()) {
            bySha.computeIfAbsent(k.sha256(), s -> new ArrayList<>()).add(k);
        }
        List<String> shared = new ArrayList<>();
        for (List<KeyFact> same : bySha.values()) {
            TreeSet<String> envs = new TreeSet<>();
            same.forEach(k -> envs.add(k.environment()));
            if (envs.size() > 1 && same.stream().anyMatch(KeyFact::usable)) {
                shared.add(same.getFirst().fingerprint() + " in " + String.join(" and ", envs) + " ("
                        + String.join(", ", same.stream().map(KeyFact::id).toList()) + ")");
            }
        }
        KeywardenConfig c = input.config();
        c.upstream().apiKey().ifPresent(secret -> {
            String sha = sha256(secret.reveal());
            for (KeyFact k : bySha.getOrDefault(sha, List.of())) {
                if (!k.environment().equals(c.vault().keyEnvironment()) && k.usable()) {
                    shared.add("the key in " + c.upstream().apiKeySetting() + " is " + k.describe() + ", but this deployment's "
                            + "environment is " + c.vault().keyEnvironment());
                }
            }
        });
        if (!shared.isEmpty()) {
            return fail("the same provider key is used in more than one environment: " + String.join("; ", shared),
                    "create a separate key per environment in the Anthropic console, add it with `keywarden keys add` under "
                            + "the right vault.key_environment, then revoke the shared one where it does not belong");
        }
        long environments = inventory.keys().stream().map(KeyFact::environment).distinct().count();
        return pass(inventory.keys().size() + " stored key(s) in " + environments + " environment(s), none shared");
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
