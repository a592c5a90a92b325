package dev.keywarden.audit.anomaly;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The {@code Keywarden-Signature} header of alert webhooks: {@code t=<unix seconds>,v1=<hex
 * HMAC-SHA-256(secret, t + "." + body)>}. Receivers recompute the HMAC over the raw body bytes,
 * compare in constant time and reject timestamps outside a tolerance (replay protection).
 */
public final class WebhookSignature {

    public static final String HEADER = "Keywarden-Signature";

    private WebhookSignature() {
    }

    /** The header value for {@code body} sent at {@code unixSeconds}. */
    public static String header(byte[] secret, long unixSeconds, byte[] body) {
        return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(mac(secret, unixSeconds, body));
    }

    /**
     * True when {@code header} carries a {@code v1} HMAC of {@code body} under {@code secret} and its
     * timestamp is within {@code tolerance} of {@code now}. Compares in constant time.
     */
    public static boolean verify(byte[] secret, String header, byte[] body, Instant now, Duration tolerance) {
        if (header == null) {
            return false;
        }
        Long t = null;
        byte[] expected = null;
        boolean ok = false;
        for (String part : header.split(",")) {
            String p = part.strip();
            if (p.startsWith("t=")) {
                try {
                    t = Long.parseLong(p.substring(2));
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        if (t == null || Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds()) {
            return false;
        }
        expected = mac(secret, t, body);
        for (String part : header.split(",")) {
            String p = part.strip();
            if (p.startsWith("v1=")) {
                byte[] given;
                try {
                    given = HexFormat.of().parseHex(p.substring(3));
                } catch (IllegalArgumentException e) {
                    continue;
                }
                ok |= MessageDigest.isEqual(expected, given);
            }
        }
        return ok;
    }

    private static byte[] mac(byte[] secret, long unixSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }
}
