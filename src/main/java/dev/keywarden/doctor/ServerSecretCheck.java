package dev.keywarden.doctor;

import dev.keywarden.auth.VirtualKeyService;

/**
 * The configured server secret is the one the store's credentials and audit chains were made with: a
 * different one is a FAIL that says what would break; a store that could not be read is a WARN.
 */
final class ServerSecretCheck implements Check {

    @Override
    public String id() {
        return "server-secret";
    }

    @Override
    public String title() {
        return "Server secret matches the store";
    }

    @Override
    public CheckResult run(DoctorInput input) {
        SecretState s = input.secret();
        if (!s.checked()) {
            return warn("the server secret was not compared with the store: " + s.reason(),
                    "run keywarden doctor with the gateway's configuration where its store is reachable");
        }
        if (s.matches().isEmpty()) {
            return pass("no credential has been made in this store yet");
        }
        if (!s.matches().get()) {
            return fail(VirtualKeyService.SECRET_CHANGED, "restore the original server secret from backup (docs/server-secret.md)");
        }
        return pass("the credentials and audit chains in the store were made with this secret");
    }
}
