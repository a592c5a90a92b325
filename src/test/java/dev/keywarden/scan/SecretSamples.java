package dev.keywarden.scan;

import dev.keywarden.auth.VirtualKeyFormat;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * Credentials of every shape the built-in rules detect, generated at run time so that nothing
 * shaped like a real secret is ever committed (only these templates are).
 */
final class SecretSamples {

    static final String BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static final String BASE64URL = BASE62 + "_-";
    static final String AWS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretSamples() {
    }

    static String random(String alphabet, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    static String digits(int n) {
        return random("0123456789", n);
    }

    static String anthropicApiKey() {
        return "sk-ant-" + "api03-" + random(BASE64URL, 93) + "AA";
    }

    static String anthropicAdminKey() {
        return "sk-ant-" + "admin01-" + random(BASE64URL, 93) + "AA";
    }

    static String anthropicOauthToken() {
        return "sk-ant-" + "oat01-" + random(BASE64URL, 93) + "AA";
    }

    static String kwVirtualKey() {
        return VirtualKeyFormat.generate();
    }

    /** Same shape as a virtual key, but the checksum does not match. */
    static String kwLookalike() {
        String real = VirtualKeyFormat.generate();
        char last = real.charAt(real.length() - 1);
        return real.substring(0, real.length() - 1) + (last == 'a' ? 'b' : 'a');
    }

    static String kwAdminToken() {
        return dev.keywarden.format.AdminTokenFormat.generate();
    }

    /** An admin token as issued before the checksum: kwadm_ and 43 random base64url characters. */
    static String kwLegacyAdminToken() {
        return "kwadm_" + random(BASE64URL, 43);
    }

    /** Same shape as an admin token, but the checksum does not match. */
    static String kwAdminLookalike() {
        String real = dev.keywarden.format.AdminTokenFormat.generate();
        char last = real.charAt(real.length() - 1);
        return real.substring(0, real.length() - 1) + (last == 'a' ? 'b' : 'a');
    }

    static String kwTemporaryToken() {
        return "kw_" + "tmp_" + random(BASE62, 32);
    }

    static String awsAccessKeyId() {
        return "AK" + "IA" + random(AWS, 16);
    }

    static String githubPat() {
        return "gh" + "p_" + random(BASE62, 36);
    }

    static String githubFineGrainedPat() {
        return "github_" + "pat_" + random(BASE62, 22) + "_" + random(BASE62, 59);
    }

    static String githubOauthToken() {
        return "gh" + "o_" + random(BASE62, 36);
    }

    static String gitlabPat() {
        return "gl" + "pat-" + random(BASE62, 20);
    }

    static String slackBotToken() {
        return "xo" + "xb-" + digits(11) + "-" + digits(12) + "-" + random(BASE62, 24);
    }

    static String slackWebhook() {
        return "https://hooks.slack.com/" + "services/T" + random(AWS, 10) + "/B" + random(AWS, 10) + "/" + random(BASE62, 24);
    }

    static String googleApiKey() {
        return "AI" + "za" + random(BASE64URL, 35);
    }

    static String stripeSecretKey() {
        return "sk" + "_live_" + random(BASE62, 24 + RANDOM.nextInt(40));
    }

    static String privateKeyPem() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            byte[] der = gen.generateKeyPair().getPrivate().getEncoded();
            String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
            return "-----BEGIN " + "PRIVATE KEY-----\n" + body + "\n-----END " + "PRIVATE KEY-----";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String jwt() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(("{\"sub\":\"" + random(BASE62, 12) + "\",\"iat\":1" + digits(9) + "}")
                .getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + "." + random(BASE64URL, 43);
    }

    /** A random value for a generic {@code api_key = "..."} assignment (always holds a digit). */
    static String genericSecret() {
        return random(BASE62, 31) + digits(1);
    }
}
