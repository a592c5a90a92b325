package dev.keywarden.vault.source;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Collectors;

/**
 * AWS Signature Version 4 for a single request, exactly as AWS documents it ("Create a signed
 * AWS API request"): canonical request, string to sign, HMAC-SHA256 signing-key chain, and the
 * {@code Authorization} header. HMAC and SHA-256 are the JDK's; nothing here is crypto design.
 * Proved against AWS's published example signature in the tests.
 */
final class AwsSigV4 {

    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final HexFormat HEX = HexFormat.of();

    private AwsSigV4() {
    }

    /**
     * The canonical request.
     *
     * @param headers lower-case names to values, all of them signed
     */
    static String canonicalRequest(String method, String canonicalUri, String canonicalQuery,
                                   SortedMap<String, String> headers, String payloadSha256Hex) {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append('\n').append(canonicalUri).append('\n').append(canonicalQuery).append('\n');
        for (Map.Entry<String, String> h : headers.entrySet()) {
            sb.append(h.getKey()).append(':').append(h.getValue().strip().replaceAll(" +", " ")).append('\n');
        }
        sb.append('\n').append(signedHeaders(headers)).append('\n').append(payloadSha256Hex);
        return sb.toString();
    }

    static String signedHeaders(SortedMap<String, String> headers) {
        return headers.keySet().stream().collect(Collectors.joining(";"));
    }

    static String scope(String date, String region, String service) {
        return date + "/" + region + "/" + service + "/aws4_request";
    }

    static String stringToSign(String amzDate, String scope, String canonicalRequest) {
        return ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] signingKey(String secretAccessKey, String date, String region, String service) {
        byte[] kDate = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), date);
        byte[] kRegion = hmac(kDate, region);
        byte[] kService = hmac(kRegion, service);
        return hmac(kService, "aws4_request");
    }

    /** The whole {@code Authorization} header value for the request described by the arguments. */
    static String authorization(String method, String canonicalUri, String canonicalQuery, SortedMap<String, String> headers,
                                String payloadSha256Hex, String accessKeyId, String secretAccessKey, String region,
                                String service, String amzDate) {
        String date = amzDate.substring(0, 8);
        String scope = scope(date, region, service);
        String toSign = stringToSign(amzDate, scope, canonicalRequest(method, canonicalUri, canonicalQuery, headers, payloadSha256Hex));
        String signature = HEX.formatHex(hmac(signingKey(secretAccessKey, date, region, service), toSign));
        return ALGORITHM + " Credential=" + accessKeyId + "/" + scope + ", SignedHeaders=" + signedHeaders(headers)
                + ", Signature=" + signature;
    }

    static String sha256Hex(byte[] data) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
