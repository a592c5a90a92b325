package dev.keywarden.vault.crypto.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A local stand-in for a KMS HTTP API, backed by real AES-256-GCM keys (one per KMS key name).
 * Subclasses speak one documented API; {@link #forbidden} makes every call answer 403.
 */
abstract class KmsStandIn implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpServer server;
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    volatile boolean forbidden;

    KmsStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::dispatch);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The AES key bytes behind {@code keyName} (to prove they never show in an error). */
    byte[] keyBytes(String keyName) {
        return keys.computeIfAbsent(keyName, k -> {
            byte[] b = new byte[32];
            RANDOM.nextBytes(b);
            return b;
        });
    }

    record Reply(int status, JsonNode body) {
    }

    abstract Reply handle(String method, String path, Map<String, String> headers, JsonNode body) throws Exception;

    private void dispatch(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new ConcurrentHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
            headers.put(":path", exchange.getRequestURI().getPath());
            requests.add(headers);
            byte[] raw = exchange.getRequestBody().readAllBytes();
            if ("gzip".equalsIgnoreCase(headers.get("content-encoding"))) { // Google's client compresses request bodies
                raw = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(raw)).readAllBytes();
            }
            Reply reply;
            try {
                reply = handle(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers,
                        raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw));
            } catch (Exception e) {
                reply = new Reply(500, JSON.createObjectNode().put("error", e.toString()));
            }
            byte[] out = JSON.writeValueAsBytes(reply.body());
            exchange.getResponseHeaders().set("Content-Type", contentType());
            exchange.sendResponseHeaders(reply.status(), out.length);
            exchange.getResponseBody().write(out);
        }
    }

    String contentType() {
        return "application/json";
    }

    byte[] seal(String keyName, byte[] plaintext, byte[] aad) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        RANDOM.nextBytes(iv);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keyBytes(keyName), "AES"), new GCMParameterSpec(128, iv));
        c.updateAAD(aad);
        byte[] ct = c.doFinal(plaintext);
        return ByteBuffer.allocate(12 + ct.length).put(iv).put(ct).array();
    }

    byte[] open(String keyName, byte[] blob, byte[] aad) throws GeneralSecurityException {
        if (blob.length < 28) {
            throw new GeneralSecurityException("short");
        }
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(keyBytes(keyName), "AES"), new GCMParameterSpec(128, blob, 0, 12));
        c.updateAAD(aad);
        return c.doFinal(Arrays.copyOfRange(blob, 12, blob.length));
    }

    static byte[] b64(String s) {
        // the documented APIs use standard base64; Google's Java client sends the URL-safe alphabet
        String std = s.replace('-', '+').replace('_', '/');
        return Base64.getDecoder().decode(std + "===".substring(0, (4 - std.length() % 4) % 4));
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** HashiCorp Vault Transit: POST /v1/transit/encrypt/:name and /decrypt/:name, X-Vault-Token. */
    static final class VaultTransit extends KmsStandIn {
        final String token;

        VaultTransit(String token) throws IOException {
            this.token = token;
        }

        @Override
        Reply handle(String method, String path, Map<String, String> headers, JsonNode body) throws Exception {
            if (forbidden || !token.equals(headers.get("x-vault-token"))) {
                return new Reply(403, object().set("errors", JSON.createArrayNode().add("permission denied")));
            }
            String[] parts = path.split("/"); // "", v1, transit, encrypt|decrypt, name
            if (!method.equals("POST") || parts.length != 5 || !parts[1].equals("v1") || !parts[2].equals("transit")) {
                return new Reply(404, object().set("errors", JSON.createArrayNode()));
            }
            String key = parts[4];
            if (parts[3].equals("encrypt")) {
                byte[] ct = seal(key, b64(body.path("plaintext").asText()), utf8(key));
                return new Reply(200, object().set("data", object().put("ciphertext", "vault:v1:" + b64(ct))));
            }
            if (parts[3].equals("decrypt")) {
                String ct = body.path("ciphertext").asText();
                try {
                    byte[] pt = open(key, b64(ct.substring("vault:v1:".length())), utf8(key));
                    return new Reply(200, object().set("data", object().put("plaintext", b64(pt))));
                } catch (GeneralSecurityException | RuntimeException e) {
                    return new Reply(400, object().set("errors", JSON.createArrayNode().add("cipher: message authentication failed")));
                }
            }
            return new Reply(405, object());
        }
    }

    /** AWS KMS JSON protocol: POST / with X-Amz-Target TrentService.Encrypt / TrentService.Decrypt. */
    static final class AwsKms extends KmsStandIn {
        final String accessKeyId;

        AwsKms(String accessKeyId) throws IOException {
            this.accessKeyId = accessKeyId;
        }

        @Override
        String contentType() {
            return "application/x-amz-json-1.1";
        }

        @Override
        Reply handle(String method, String path, Map<String, String> headers, JsonNode body) throws Exception {
            String auth = headers.getOrDefault("authorization", "");
            if (forbidden || !auth.startsWith("AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/") || !auth.contains("/kms/aws4_request")
                    || !auth.contains("Signature=")) {
                return new Reply(403, object().put("__type", "AccessDeniedException").put("message", "not allowed"));
            }
            String target = headers.getOrDefault("x-amz-target", "");
            String keyId = body.path("KeyId").asText();
            byte[] context = utf8(body.path("EncryptionContext").toString());
            switch (target) {
                case "TrentService.Encrypt" -> {
                    byte[] blob = seal(keyId, b64(body.path("Plaintext").asText()), context);
                    byte[] ref = utf8(keyId);
                    byte[] full = ByteBuffer.allocate(2 + ref.length + blob.length).putShort((short) ref.length).put(ref).put(blob).array();
                    return new Reply(200, object().put("CiphertextBlob", b64(full)).put("KeyId", keyId)
                            .put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT"));
                }
                case "TrentService.Decrypt" -> {
                    try {
                        ByteBuffer full = ByteBuffer.wrap(b64(body.path("CiphertextBlob").asText()));
                        byte[] ref = new byte[full.getShort()];
                        full.get(ref);
                        String blobKey = new String(ref, StandardCharsets.UTF_8);
                        if (!keyId.isEmpty() && !keyId.equals(blobKey)) {
                            return new Reply(400, object().put("__type", "IncorrectKeyException").put("message", "wrong key"));
                        }
                        byte[] blob = new byte[full.remaining()];
                        full.get(blob);
                        byte[] pt = open(blobKey, blob, context);
                        return new Reply(200, object().put("Plaintext", b64(pt)).put("KeyId", blobKey)
                                .put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT"));
                    } catch (GeneralSecurityException | RuntimeException e) {
                        return new Reply(400, object().put("__type", "InvalidCiphertextException").put("message", "bad ciphertext"));
                    }
                }
                default -> {
                    return new Reply(400, object().put("__type", "UnknownOperationException"));
                }
            }
        }
    }

    /** Google Cloud KMS REST: POST /v1/{name}:encrypt and /v1/{name}:decrypt, Bearer token. */
    static final class GcpKms extends KmsStandIn {
        final String accessToken;

        GcpKms(String accessToken) throws IOException {
            this.accessToken = accessToken;
        }

        @Override
        Reply handle(String method, String path, Map<String, String> headers, JsonNode body) throws Exception {
            if (forbidden || !("Bearer " + accessToken).equals(headers.get("authorization"))) {
                return new Reply(403, object().set("error", object().put("code", 403).put("message", "Permission denied")
                        .put("status", "PERMISSION_DENIED")));
            }
            if (!method.equals("POST") || !path.startsWith("/v1/projects/")) {
                return new Reply(404, object());
            }
            int colon = path.lastIndexOf(':');
            String name = path.substring("/v1/".length(), colon);
            String verb = path.substring(colon + 1);
            byte[] aad = body.hasNonNull("additionalAuthenticatedData") ? b64(body.get("additionalAuthenticatedData").asText()) : new byte[0];
            if (verb.equals("encrypt")) {
                byte[] ct = seal(name, b64(body.path("plaintext").asText()), aad);
                return new Reply(200, object().put("name", name).put("ciphertext", b64(ct)));
            }
            if (verb.equals("decrypt")) {
                try {
                    byte[] pt = open(name, b64(body.path("ciphertext").asText()), aad);
                    return new Reply(200, object().put("plaintext", b64(pt)));
                } catch (GeneralSecurityException | RuntimeException e) {
                    return new Reply(400, object().set("error", object().put("code", 400).put("message", "Decryption failed")
                            .put("status", "INVALID_ARGUMENT")));
                }
            }
            return new Reply(404, object());
        }
    }
}
