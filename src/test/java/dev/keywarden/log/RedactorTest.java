package dev.keywarden.log;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedactorTest {

    @Test
    void adminTokensAreRedactedButTheirDisplayPrefixAndAdminRequestIdsAreNot() {
        String token = dev.keywarden.format.AdminTokenFormat.generate();
        String prefix = dev.keywarden.format.AdminTokenFormat.displayPrefix(token);

        String out = Redactor.redact("created " + token + " shown as " + prefix + " in req_kwadm_0123456789abcdef0123");

        assertThat(out).doesNotContain(token.substring(6, 40)).contains("kwadm_[redacted]" + token.substring(token.length() - 4))
                .contains("shown as " + prefix).contains("req_kwadm_0123456789abcdef0123");
    }

    private static final String ANTHROPIC = "sk-ant-api03-" + "Ab1_-".repeat(18) + "xyzAA";
    private static final String VIRTUAL = "kw_" + "Q".repeat(32) + "abcdef";

    @Test
    void anthropicKeysAreMaskedKeepingOnlyPrefixAndLastFour() {
        String out = Redactor.redact("upstream said: bad key " + ANTHROPIC + " !");
        assertThat(out).doesNotContain(ANTHROPIC).doesNotContain(ANTHROPIC.substring(13, 30)).contains("sk-ant-[redacted]yzAA");
    }

    @Test
    void virtualKeysAndTemporaryTokensAreMasked() {
        assertThat(Redactor.redact("key " + VIRTUAL)).doesNotContain(VIRTUAL).contains("kw_[redacted]cdef");
        assertThat(Redactor.redact("kw_tmp_" + "z".repeat(30))).isEqualTo("kw_tmp_[redacted]zzzz");
    }

    @Test
    void credentialHeaderValuesAreRemovedWhateverTheirShape() {
        assertThat(Redactor.redact("Authorization: Bearer abc.def.ghi")).isEqualTo("Authorization: [redacted]");
        assertThat(Redactor.redact("x-api-key=whatever123")).isEqualTo("x-api-key=[redacted]");
        assertThat(Redactor.redact("Cookie: session=s3cr3t; other=1")).isEqualTo("Cookie: [redacted]; other=1");
    }

    @Test
    void lineBreaksAreEscapedSoALogLineCannotBeForged() {
        assertThat(Redactor.redact("a\r\nINFO fake line")).isEqualTo("a\\r\\nINFO fake line");
    }

    @Test
    void ordinaryTextIsUnchanged() {
        assertThat(Redactor.redact("model claude-sonnet-4-5 took 12ms")).isEqualTo("model claude-sonnet-4-5 took 12ms");
    }

    @Test
    void identityProviderTokensSessionIdsAndCsrfTokensAreMasked() {
        String jwt = "eyJraWQiOiJkZWZhdWx0IiwiYWxnIjoiUlMyNTYifQ.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        assertThat(Redactor.redact("valueString=[Bearer " + jwt + "]")).doesNotContain("eyJzdWIiOiJhbGljZSJ9")
                .doesNotContain("c2lnbmF0dXJl").contains("[redacted JWT]");
        assertThat(Redactor.redact("id kw_ses_AbCdEfGh12345678IjKlMnOp")).doesNotContain("AbCdEfGh12345678").startsWith("id kw_ses_[redacted]");
        assertThat(Redactor.redact("x kw_csrf_0123456789abcdef0123")).doesNotContain("0123456789abcdef").contains("kw_csrf_[redacted]");
    }

    @Test
    void passwordsAndPassphrasesInADumpedJsonBodyAreRedactedEvenWhenTheBufferIsCutOff() {
        String dump = "parseNext s=CONTENT {POST /api/byok/unlock\\r\\n\\r\\n<<<{\"passphrase\":\"correct horse \\\"battery\\\" staple\"}>>>";
        assertThat(Redactor.redact(dump)).doesNotContain("horse").doesNotContain("staple")
                .contains("{\"passphrase\":\"[redacted]\"}>>>");
        assertThat(Redactor.redact("<<<{\"username\":\"ann\",\"Password\": \"violet tractor an")).doesNotContain("violet")
                .contains("\"username\":\"ann\"");
        assertThat(Redactor.redact("{\"client_secret\":\"s3cr3t-value\",\"x\":1}")).isEqualTo("{\"client_secret\":\"[redacted]\",\"x\":1}");
        assertThat(Redactor.redact("the passphrase was wrong")).isEqualTo("the passphrase was wrong");
    }
}
