package dev.keywarden.vault;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The admin API of a running gateway as an operator drives it: a token created with
 * {@code keywarden admin create-token}, JSON bodies, and provider keys handed over only as
 * {@code file:} source specs (0600 files), never as values. Every response body is kept so canary
 * tests can search them.
 */
final class VaultAdminClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    private VaultAdminClient(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** Creates an admin token in {@code dataDir} through the CLI and returns a client for {@code base}. */
    static VaultAdminClient create(URI base, Path dataDir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8)); // the token is printed to stdout
        int code;
        try {
            code = cli.execute("admin", "create-token", "--name", "vault-it", "--data-dir", dataDir.toString());
        } finally {
            System.setOut(old);
        }
        assertThat(code).as("admin create-token: " + err.toString(StandardCharsets.UTF_8)).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        String token = lines[lines.length - 1].strip();
        assertThat(token).startsWith("kwadm_");
        return new VaultAdminClient(base, token);
    }

    HttpResponse<String> call(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("authorization", "Bearer " + token).header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        seen.add(r.headers().map() + "\n" + r.body());
        return r;
    }

    /** POST with a JSON body; fails the test unless the answer is 200. */
    JsonNode post(String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = call("POST", path, body);
        assertThat(r.statusCode()).as("POST " + path + " answered " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = call("GET", path, null);
        assertThat(r.statusCode()).as("GET " + path + " answered " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** The provider key with this SHA-256 fingerprint, as GET /admin/v1/provider-keys lists it. */
    JsonNode keyBySha256(String sha256) throws IOException, InterruptedException {
        for (JsonNode k : get("/admin/v1/provider-keys").get("data")) {
            if (k.get("sha256").asText().equals(sha256)) {
                return k;
            }
        }
        throw new AssertionError("no provider key with sha256 " + sha256 + " in the admin list");
    }

    /** Adds the key from a {@code file:} source and returns its record as the admin API shows it. */
    JsonNode add(Path secretFile, String label, int priority) throws IOException, InterruptedException {
        return post("/admin/v1/provider-keys", "{\"source\":\"file:" + secretFile + "\",\"label\":\"" + label
                + "\",\"priority\":" + priority + "}");
    }

    /** Every admin response body (with headers) received so far. */
    List<String> responsesSeen() {
        return List.copyOf(seen);
    }

    /** Writes {@code key} into a new file readable only by its owner, for a {@code file:} source. */
    static Path secretFile(Path dir, String name, String key) throws IOException {
        Path file = dir.resolve(name);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, key + "\n", StandardCharsets.UTF_8);
        return file;
    }
}
