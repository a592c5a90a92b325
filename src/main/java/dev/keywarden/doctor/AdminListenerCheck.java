package dev.keywarden.doctor;

import dev.keywarden.config.HostPort;

/** The admin API (which can add, rotate and revoke keys) listens on loopback only, or is off. */
final class AdminListenerCheck implements Check {

    @Override
    public String id() {
        return "admin-listener";
    }

    @Override
    public String title() {
        return "Admin listener not public";
    }

    @Override
    public CheckResult run(DoctorInput input) {
        if (input.config().admin().listen().isEmpty()) {
            return pass("admin API off (admin.listen: off)");
        }
        HostPort admin = input.config().admin().listen().get();
        if (Listeners.loopbackOnly(admin)) {
            return pass("admin.listen " + admin + " is loopback-only");
        }
        return fail("admin.listen " + admin + (Listeners.wildcard(admin) ? " listens on every interface" : " is not a loopback address")
                        + ": the admin API is reachable from other hosts",
                "set admin.listen (KEYWARDEN_ADMIN_LISTEN) to 127.0.0.1:8788 and reach it from elsewhere through an SSH tunnel "
                        + "(ssh -L 8788:127.0.0.1:8788 HOST), or admin.listen: off");
    }
}
