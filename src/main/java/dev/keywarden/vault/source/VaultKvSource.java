package dev.keywarden.vault.source;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.config.Secret;
import dev.keywarden.vault.source.SecretSourceException.Kind;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code vault-kv:mount/path[#field][?version=N]}: one field of a HashiCorp Vault KV version 2
 * secret, read with {@code GET {addr}/v1/{mount}/data/{path}[?version=N]} and the
 * {@code X-Vault-Token} header (plus {@code X-Vault-Namespace} when {@code VAULT_NAMESPACE} is
 * set). The mount is the first path segment. The field may be left out when the secret has
 * exactly one field. The address and token come from the options or from {@code VAULT_ADDR} /
 * {@code VAULT_TOKEN}; the token never appears in a message.
 */
final class VaultKvSource implements SecretSource {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_.@+=~\\-]{1,256}");
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,9}");

    private final String mount;
    private final String path;
    private final Optional<String> field;
    private final Optional<String> version;
    private final URI address;
    private final Secret token;
    private final Optional<String> namespace;
    private final SourceHttp http;

    private VaultKvSource(String mount, String path, Optional<String> field, Optional<String> version, URI address,
                          Secret token, Optional<String> namespace, SourceOptions options) {
        this.mount = mount;
        this.path = path;
        this.field = field;
        this.version = version;
        this.address = address;
        this.token = token;
        this.namespace = namespace;
        this.http = new SourceHttp(describe(), options.timeout());
    }

    static VaultKvSource parse(String rest, Map<String, String> env, SourceOptions options) {
        String location = rest;
        String field = null;
        String version = null;
        // accept both mount/path#field?version=N and mount/path?version=N#field
        int hash = location.indexOf('#');
        int query = location.indexOf('?');
        if (hash >= 0 && query >= 0) {
            if (hash < query) {
                field = location.substring(hash + 1, query);
                version = parseQuery(location.substring(query + 1));
            } else {
                version = parseQuery(location.substring(query + 1, hash));
                field = location.substring(hash + 1);
            }
            location = location.substring(0, Math.min(hash, query));
        } else if (hash >= 0) {
            field = location.substring(hash + 1);
            location = location.substring(0, hash);
        } else if (query >= 0) {
            version = parseQuery(location.substring(query + 1));
            location = location.substring(0, query);
        }
        if (field != null && !SecretSources.FIELD_NAME.matcher(field).matches()) {
            throw SecretSources.invalid("vault-kv", "the field name after '#' is not valid; use letters, digits, '_', '.', '-'");
        }
        String[] segments = location.split("/", -1);
        if (segments.length < 2) {
            throw SecretSources.invalid("vault-kv", "write vault-kv:mount/path#field, e.g. vault-kv:secret/anthropic#api_key "
                    + "(the first segment is the KV v2 mount)");
        }
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
                throw SecretSources.invalid("vault-kv", "the path has an empty or invalid segment; use letters, digits and "
                        + "_ . @ + = ~ - between single slashes, e.g. vault-kv:secret/anthropic/prod#api_key");
            }
        }
        String mount = segments[0];
        String path = location.substring(mount.length() + 1);
        String label = "vault-kv:" + location;

        URI address = options.vaultAddress()
                .map(u -> SourceHttp.endpoint("vault-kv", "the Vault address", u.toString(), options))
                .orElseGet(() -> {
                    String raw = env.get("VAULT_ADDR");
                    if (raw == null || raw.isBlank()) {
                        throw new SecretSourceException(Kind.MISCONFIGURED, label + ": VAULT_ADDR is not set; "
                                + "set it to the Vault address (e.g. https://vault.internal:8200)");
                    }
                    return SourceHttp.endpoint("vault-kv", "VAULT_ADDR", raw, options);
                });
        Secret token = options.vaultToken().orElseGet(() -> {
            String raw = env.get("VAULT_TOKEN");
            if (raw == null || raw.isBlank()) {
                throw new SecretSourceException(Kind.MISCONFIGURED, label + ": VAULT_TOKEN is not set; "
                        + "set it to a Vault token whose policy allows read on " + mount + "/data/" + path);
            }
            return Secret.of(raw.strip());
        });
        Optional<String> namespace = Optional.ofNullable(env.get("VAULT_NAMESPACE")).map(String::strip).filter(s -> !s.isEmpty());
        return new VaultKvSource(mount, path, Optional.ofNullable(field), Optional.ofNullable(version), address, token,
                namespace, options);
    }

    private static String parseQuery(String query) {
        if (!query.startsWith("version=") || !VERSION.matcher(query.substring(8)).matches()) {
            throw SecretSources.invalid("vault-kv", "the only query allowed is ?version=N with N a positive number");
        }
        return query.substring(8);
    }

    @Override
    public byte[] fetch() {
        String apiPath = "/v1/" + mount + "/data/" + path;
        URI uri = URI.create(address + apiPath + version.map(v -> "?version=" + v).orElse(""));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET()
                .header("X-Vault-Token", token.reveal())
                .header("Accept", "application/json");
        namespace.ifPresent(ns -> request.header("X-Vault-Namespace", ns));
        SourceHttp.Answer answer = http.send(request, "Vault at " + SourceHttp.hostHeader(address));
        try {
            return read(answer, apiPath);
        } finally {
            answer.wipe();
        }
    }

    private byte[] read(SourceHttp.Answer answer, String apiPath) {
        int status = answer.status();
        if (status != 200) {
            String errors = status >= 400 ? vaultErrors(answer) : "";
            String detail = " (Vault answered " + status + (errors.isEmpty() ? "" : ": " + errors) + ")";
            throw switch (status) {
                case 403 -> new SecretSourceException(Kind.DENIED, describe() + ": permission denied" + detail + "; the token "
                        + "is invalid or expired, or its policy does not allow read on " + mount + "/data/" + path
                        + "; renew the token or grant read on that path");
                case 404 -> new SecretSourceException(Kind.NOT_FOUND, describe() + ": secret not found" + detail + " at "
                        + apiPath + version.map(v -> " version " + v).orElse("") + "; check the path, that '" + mount
                        + "' is a KV version 2 mount, and that the version is not deleted or destroyed");
                case 503 -> new SecretSourceException(Kind.UNAVAILABLE, describe() + ": Vault is sealed or unavailable"
                        + detail + "; unseal it or try another node");
                default -> new SecretSourceException(status >= 500 ? Kind.UNAVAILABLE : Kind.BAD_RESPONSE,
                        describe() + ": unexpected answer" + detail + "; check VAULT_ADDR and the Vault server's log");
            };
        }
        JsonNode root = http.json(answer, "Vault");
        JsonNode data = root.path("data").path("data");
        if (data.isNull()) {
            throw new SecretSourceException(Kind.NOT_FOUND, describe() + ": this version of the secret is deleted or "
                    + "destroyed; undelete it in Vault or ask for another ?version=");
        }
        if (!data.isObject()) {
            throw new SecretSourceException(Kind.BAD_RESPONSE, describe() + ": Vault's answer has no data.data object, so '"
                    + mount + "' may be a KV version 1 mount; use a KV version 2 mount");
        }
        String name = field.orElseGet(() -> {
            if (data.size() == 1) {
                return data.fieldNames().next();
            }
            throw new SecretSourceException(Kind.INVALID_SPEC, describe() + ": the secret has " + data.size()
                    + " fields (" + fieldNames(data) + "); name one with #field");
        });
        JsonNode value = data.get(name);
        if (value == null) {
            throw new SecretSourceException(Kind.NOT_FOUND, describe() + ": the secret has no field '" + name
                    + "' (fields: " + fieldNames(data) + "); fix the #field part of the spec");
        }
        if (!value.isTextual()) {
            throw new SecretSourceException(Kind.BAD_RESPONSE, describe() + ": field '" + name + "' is "
                    + JsonTypes.describe(value) + ", not a string; store the key as a string value");
        }
        return SecretBytes.finish(value.textValue(), describe());
    }

    private static String vaultErrors(SourceHttp.Answer answer) {
        try {
            JsonNode errors = SourceHttp.jsonValue(new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8)).path("errors");
            List<String> out = new ArrayList<>();
            for (JsonNode e : errors) {
                if (e.isTextual()) {
                    out.add(SecretBytes.serverText(e.textValue()));
                }
            }
            return SecretBytes.serverText(String.join("; ", out));
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }

    private static String fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        Iterator<String> it = object.fieldNames();
        while (it.hasNext() && names.size() < 10) {
            String n = it.next();
            names.add(SecretSources.FIELD_NAME.matcher(n).matches() ? n : "?");
        }
        if (it.hasNext()) {
            names.add("…");
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    @Override
    public String describe() {
        return "vault-kv:" + mount + "/" + path + version.map(v -> "?version=" + v).orElse("") + field.map(f -> "#" + f).orElse("");
    }

    @Override
    public String toString() {
        return "SecretSource[" + describe() + "]";
    }
}
