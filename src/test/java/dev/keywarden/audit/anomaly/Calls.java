package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import dev.keywarden.audit.AuditEntry;
import dev.keywarden.audit.SecurityEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Crafted audit records for detector tests: a call with sensible defaults, changed field by field. */
record Calls(Instant at, String principal, String credentialId, String address, int status, long input, long output,
             String providerKey) {

    /** A Monday, midnight UTC. */
    static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");
    static final String KEY_FP = "sk-ant-api03-…Ab12";

    static Calls at(Instant at) {
        return new Calls(at, "alice", "vk_alice", "10.0.0.1", 200, 100, 50, KEY_FP);
    }

    Calls principal(String p) {
        return new Calls(at, p, p == null ? null : "vk_" + p, address, status, input, output, providerKey);
    }

    Calls address(String a) {
        return new Calls(at, principal, credentialId, a, status, input, output, providerKey);
    }

    Calls status(int s) {
        return new Calls(at, principal, credentialId, address, s, input, output, providerKey);
    }

    Calls tokens(long in, long out) {
        return new Calls(at, principal, credentialId, address, status, in, out, providerKey);
    }

    Calls providerKey(String fp) {
        return new Calls(at, principal, credentialId, address, status, input, output, fp);
    }

    /** The call as the gateway's audit observer writes it. */
    AuditEntry entry() {
        Map<String, Object> f = new HashMap<>();
        f.put("request_id", "req_" + at.toEpochMilli());
        f.put("principal", principal);
        f.put("credential_kind", principal == null ? null : "virtual_key");
        f.put("credential_id", credentialId);
        f.put("client_address", address);
        f.put("status", status);
        f.put("input_tokens", input);
        f.put("output_tokens", output);
        f.put("cache_creation_input_tokens", 0);
        f.put("cache_read_input_tokens", 0);
        f.put("provider_key", providerKey);
        return new AuditEntry(AuditEntry.CALL, at, f);
    }

    Observation observation() {
        return Observation.of(entry());
    }

    static AuditEntry event(Instant at, String type, String subject) {
        SecurityEvent e = new SecurityEvent(at, type, false, subject, Map.of());
        return AuditEntry.of(e);
    }

    /** Every alert {@code detector} reports for {@code entries}, in order. */
    static List<Alert> run(Detector detector, List<AuditEntry> entries) {
        List<Alert> alerts = new ArrayList<>();
        for (AuditEntry e : entries) {
            Observation o = Observation.of(e);
            if (o != null) {
                detector.observe(o, alerts::add);
            }
        }
        return alerts;
    }

    static AnomalyConfig config(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return AnomalyConfig.fromSettings(m);
    }
}
