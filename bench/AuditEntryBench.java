// CPU cost of building one call's audit entry (sorting its fields and masking credential-shaped text in
// every value) against a plain sorted copy of the same fields. Run by hand after building the jar:
//   java -cp target/keywarden.jar bench/AuditEntryBench.java
import dev.keywarden.audit.AuditEntry;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

public class AuditEntryBench {
    public static void main(String[] args) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("request_id", "req_kw_QbWn4on0XHJGZ192mi8Yya");
        f.put("action", "messages");
        f.put("method", "POST");
        f.put("path", "/v1/messages");
        f.put("principal", "test-client");
        f.put("credential_kind", "virtual_key");
        f.put("credential_id", "vk_QxaO6QaJ2OusLG");
        f.put("credential_prefix", "kw_mnkjGS1U");
        f.put("model", "claude-sonnet-4-5");
        f.put("stream", false);
        f.put("input_tokens", 12L);
        f.put("output_tokens", 100L);
        f.put("stop_reason", "end_turn");
        f.put("status", 200);
        f.put("upstream_status", 200);
        f.put("provider_key", "sk-ant-api03-…WXYZ");
        f.put("latency_ms", 12.5);
        f.put("client_address", "127.0.0.1");
        f.put("user_agent", "Anthropic/JS 0.30.1");
        f.put("origin", "https://app.example.com");
        f.put("guard", Map.of("injection_score", 0.0));
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        int n = 1_000_000;
        long sink = 0;
        for (int round = 0; round < 3; round++) {
            long start = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                sink += new AuditEntry(AuditEntry.CALL, Instant.EPOCH, f).fields().size();
            }
            long entry = cpu.getCurrentThreadCpuTime() - start;
            start = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                TreeMap<String, Object> m = new TreeMap<>();
                f.forEach((k, v) -> m.put(k, v));
                sink += m.size();
            }
            long plain = cpu.getCurrentThreadCpuTime() - start;
            System.out.printf("audit entry %.2f us CPU, plain sorted copy %.2f us CPU (%,d each)%n", entry / 1e3 / n, plain / 1e3 / n, n);
        }
        if (sink == 42) {
            System.out.println();
        }
    }
}
