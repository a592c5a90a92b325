package dev.keywarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.auth.VirtualKeyFormat;
import dev.keywarden.log.Redactor;
import dev.keywarden.testing.TestKeys;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AuditTextTest {

    @Test
    void thePreCheckNeverSkipsTextMaskingWouldChange() {
        String key = TestKeys.canaryProviderKey();
        String vk = VirtualKeyFormat.generate();
        List<String> corpus = List.of(key, "model " + key + " used", vk, "(" + vk + ")", "kw_tmp_" + TestKeys.random(30),
                "Authorization: Bearer x", "authorization   :abc", "X-API-KEY=abc", "x-api-key\t: abc", "Set-Cookie: a=b",
                "proxy-authorization = y", "cookie=1", "line\nbreak", "cr\r", "sk-ant-abcdefghijkl", "sk-ant-ab-cdefghij",
                "xkw_abcdefghij", "_kw_abcdefghij", "kw_abcdefgh", "kw_abcdefghi", "kw_abcdefgh_", "a kw_abcdefgh b",
                "req_kw_QbWn4on0XHJGZ192mi8Yya", "sk-ant-api03-…WXYZ", "https://app.example.com", "/v1/messages",
                "kwadm_" + TestKeys.random(43), "model kwadm_" + TestKeys.random(20),
                "eyJhbGciOi." + "eyJzdWIiOi." + TestKeys.random(20), "kw_ses_" + TestKeys.random(30), "kw_csrf_" + TestKeys.random(30));
        for (String text : corpus) {
            if (!AuditText.masked(text).equals(text)) {
                assertThat(AuditText.mayHoldCredential(text)).as(text).isTrue();
            }
        }
        String[] parts = {"sk-ant-", "kw_", "tmp_", "api03-", ":", "=", " ", "\t", "authorization", "Cookie", "X-Api-Key", "a", "Z",
                "0", "9", "-", "_", "…", "\n", "%2D", "abcdefgh", "ABCDEFGHIJKL", "(", "/", "kwadm_", "eyJ", ".", "ses_", "csrf_", "kw-", "abcdefghijklmnop"};
        Random random = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int p = random.nextInt(8); p >= 0; p--) {
                sb.append(parts[random.nextInt(parts.length)]);
            }
            String text = sb.toString();
            if (!AuditText.masked(text).equals(text)) {
                assertThat(AuditText.mayHoldCredential(text)).as(text).isTrue();
            }
        }
    }

    @Test
    void aVirtualKeyInHostFormIsMaskedToItsLastFourCharacters() {
        String vk = VirtualKeyFormat.generate();
        String host = vk.toLowerCase().replace('_', '-');
        String cleaned = AuditText.clean("https://" + host + ".example");
        assertThat(cleaned).isEqualTo("https://kw-[redacted]" + host.substring(host.length() - 4) + ".example");
        assertThat(AuditText.clean("https://kw-docs.example")).as("a short kw- label is not a key").isEqualTo("https://kw-docs.example");
    }

    @Test
    void aDisplayPrefixIsKeptAndTheKeyAroundItIsNot() {
        String vk = VirtualKeyFormat.generate();
        String prefix = vk.substring(0, 11);
        assertThat(AuditText.clean(prefix)).isEqualTo(prefix);
        assertThat(AuditText.clean("key " + prefix + " revoked")).isEqualTo("key " + prefix + " revoked");
        assertThat(AuditText.clean("sent " + vk)).doesNotContain(vk.substring(11, 30)).startsWith("sent kw_[redacted]");
    }

    @Test
    void aPercentEncodedKeyInAPathIsMasked() {
        String key = TestKeys.canaryProviderKey();
        String encoded = "/v1/models/" + key.replace("-", "%2D").replace("_", "%5F");
        assertThat(AuditText.clean(encoded)).startsWith("/v1/models/sk-ant-[redacted]").doesNotContain(key.substring(13, 30));
        assertThat(AuditText.clean("/v1/models/claude%2Dsonnet")).as("nothing to mask: left as sent").isEqualTo("/v1/models/claude%2Dsonnet");
    }
}
