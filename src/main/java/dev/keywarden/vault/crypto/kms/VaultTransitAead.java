package dev.keywarden.vault.crypto.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.crypto.tink.Aead;
import dev.keywarden.vault.crypto.KmsUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * A Tink {@link Aead} over HashiCorp Vault's Transit secrets engine, through its documented HTTP
 * API: {@code POST /v1/<mount>/encrypt/<key>} with a base64 {@code plaintext} and
 * {@code POST /v1/<mount>/decrypt/<key>} with the {@code vault:vN:...} ciphertext, authenticated
 * by the {@code X-Vault-Token} header (and {@code X-Vault-Namespace} when set).
 *
 * <p>Associated data: Transit's {@code context} field only works for derived keys, so this class
 * binds the associated data itself. It sends {@code len(aad) || aad || plaintext} to Transit,
 * whose AES-256-GCM protects the whole frame; on decrypt the returned frame must start with the
 * expected associated data (compared in constant time) or decryption fails. The associated data
 * is therefore visible to Vault (it is never secret here: labels and ids), the plaintext only in
 * Transit's usual way.
 *
 * <p>Failures: a ciphertext that does not open (HTTP 400 from decrypt, or an associated-data
 * mismatch) is a {@link GeneralSecurityException}; a refused token (401/403), an unreachable
 * server or a server error is a {@link KmsUnavailableException} naming the key and the status.
 * No message ever holds the token, a plaintext or the server's free text.
 */
public final class VaultTransitAead implements Aead {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI encryptUri;
    private final URI decryptUri;
    private final String keyLabel;
    private final String token;
    private final Optional<String> namespace;

    /**
     * @param address   Vault's address, e.g. {@code https://vault.example:8200}
     * @param mount     the Transit mount path, e.g. {@code transit}
     * @param keyName   the Transit key name
     * @param token     a Vault token allowed to update {@code <mount>/encrypt/<key>} and {@code <mount>/decrypt/<key>}
     * @param namespace a Vault Enterprise namespace, if any
     */
    public VaultTransitAead(HttpClient http, URI address, String mount, String keyName, String token, Optional<String> namespace) {
        this.http = Objects.requireNonNull(http, "http");
        String base = address.toString().replaceAll("/+$", "");
        String m = mount.replaceAll("^/+|/+$", "");
        this.encryptUri = URI.create(base + "/v1/" + m + "/encrypt/" + keyName);
        this.decryptUri = URI.create(base + "/v1/" + m + "/decrypt/" + keyName);
        this.keyLabel = base + "/v1/" + m + "/keys/" + keyName;
        this.token = Objects.requireNonNull(token, "token");
        this.namespace = namespace;
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        byte[] aad = associatedData == null ? new byte[0] : associatedData;
        byte[] frame = ByteBuffer.allocate(4 + aad.length + plaintext.length).putInt(aad.length).put(aad).put(plaintext).array();
        String body = "{\"plaintext\":\"" + Base64.getEncoder().encodeToString(frame) + "\"}";
        Arrays.fill(frame, (byte) 0);
        JsonNode response = post(encryptUri, body, "encrypt");
        String ciphertext = response.path("data").path("ciphertext").asText("");
        if (!ciphertext.startsWith("vault:v")) {
            throw new KmsUnavailableException("vault-transit returned no ciphertext for key " + keyLabel
                    + ": check that the address points at a Vault Transit mount");
        }
        return ciphertext.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        byte[] aad = associatedData == null ? new byte[0] : associatedData;
        String text = new String(ciphertext, StandardCharsets.US_ASCII);
        if (!text.matches("vault:v[0-9]+:[A-Za-z0-9+/=]+")) {
            throw new GeneralSecurityException("not a Vault Transit ciphertext");
        }
        JsonNode response = post(decryptUri, JSON.createObjectNode().put("ciphertext", text).toString(), "decrypt");
        byte[] frame;
        try {
            frame = Base64.getDecoder().decode(response.path("data").path("plaintext").asText(""));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("Vault Transit returned a malformed plaintext");
        }
        try {
            if (frame.length < 4) {
                throw new GeneralSecurityException("decryption failed");
            }
            ByteBuffer buffer = ByteBuffer.wrap(frame);
            int aadLength = buffer.getInt();
            if (aadLength < 0 || aadLength > frame.length - 4
                    || !MessageDigest.isEqual(Arrays.copyOfRange(frame, 4, 4 + aadLength), aad)) {
                throw new GeneralSecurityException("decryption failed: associated data does not match");
            }
            return Arrays.copyOfRange(frame, 4 + aadLength, frame.length);
        } finally {
            Arrays.fill(frame, (byte) 0);
        }
    }

    private JsonNode post(URI uri, String body, String operation) throws GeneralSecurityException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("X-Vault-Token", token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        namespace.ifPresent(ns -> request.header("X-Vault-Namespace", ns));
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new KmsUnavailableException("cannot reach vault-transit at " + uri.getScheme() + "://" + uri.getAuthority()
                    + " to " + operation + " with key " + keyLabel + " (" + e.getClass().getSimpleName()
                    + "): check vault.kms_key / vault.kms_endpoint and that Vault is running");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KmsUnavailableException("interrupted while calling vault-transit for key " + keyLabel);
        }
        int status = response.statusCode();
        if (status == 200) {
            try {
                return JSON.readTree(response.body());
            } catch (IOException e) {
                throw new KmsUnavailableException("vault-transit answered " + operation + " for key " + keyLabel + " with malformed JSON");
            }
        }
        if (status == 400 && operation.equals("decrypt")) {
            throw new GeneralSecurityException("Vault Transit could not decrypt (HTTP 400)");
        }
        if (status == 401 || status == 403) {
            throw new KmsUnavailableException("vault-transit refused to " + operation + " with key " + keyLabel + " (HTTP " + status
                    + "): check VAULT_TOKEN and that its policy allows update on " + encryptUri.getPath().substring(4)
                    + " and " + decryptUri.getPath().substring(4));
        }
        throw new KmsUnavailableException("vault-transit answered HTTP " + status + " to " + operation + " with key " + keyLabel
                + ": check that the key exists and Vault is unsealed");
    }

    @Override
    public String toString() {
        return "VaultTransitAead[" + keyLabel + "]";
    }
}
