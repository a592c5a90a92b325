package dev.keywarden.web;

import dev.keywarden.gateway.ApiErrors;
import dev.keywarden.pipeline.RequestIds;
import dev.keywarden.pipeline.ErrorType;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web UI and the {@code keywarden-web} browser library, served from the jar (classpath folder
 * {@value #ROOT}) on the client listener: {@code /keywarden-web.js}, the UI's files under {@code /ui/}, and
 * {@code index.html} for each page of the single-page UI ({@link #UI_ROUTES}: its router draws the page).
 *
 * <p>Guarantees: only {@code GET} and {@code HEAD} (else 405 with {@code Allow}); only files whose raw request path
 * is made of plain segments ({@code [A-Za-z0-9_-]} first, then also {@code .}) ending in a known extension, so no
 * {@code ..}, no percent-encoding, no hidden file, no directory listing and nothing outside {@value #ROOT} is ever
 * read (anything else is a 404 in Anthropic's error shape); every file has its exact {@code Content-Type}, a strong
 * {@code ETag} (SHA-256 of its bytes) answered with 304 on a matching {@code If-None-Match}, and
 * {@code Cache-Control: no-cache} (names carry no content hash, so a browser revalidates rather than keeps a stale
 * module after an upgrade); every answer carries {@code request-id}. The browser security headers (the strict
 * Content-Security-Policy the UI is written for, {@code nosniff}, {@code no-referrer}, {@code frame-ancestors 'none'})
 * are set for the whole listener by {@link SecurityHeaders}, mounted in front of this handler. Files are read once
 * and kept in memory (the set is bounded by what the jar holds; misses are not remembered).
 */
public final class StaticAssets extends Handler.Abstract {

    /** Classpath folder of the served files. */
    static final String ROOT = "dev/keywarden/web/static/";
    /** The browser library's path (the same file as {@code clients/keywarden-web/keywarden-web.js}). */
    public static final String LIBRARY = "/keywarden-web.js";
    /** Paths answered with {@code index.html}: the pages of the single-page UI. */
    static final Set<String> UI_ROUTES = Set.of("/", "/sign-in", "/chat", "/key");
    static final String UI_PREFIX = "/ui/";

    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json",
            "txt", "text/plain; charset=utf-8",
            "woff2", "font/woff2");

    private final ClassLoader loader;
    private final Map<String, Asset> loaded = new ConcurrentHashMap<>();

    public StaticAssets() {
        this(StaticAssets.class.getClassLoader());
    }

    StaticAssets(ClassLoader loader) {
        super(InvocationType.BLOCKING);
        this.loader = loader;
    }

    /** Whether a request for {@code path} (the raw request path) belongs here rather than to the gateway. */
    public static boolean serves(String path) {
        return UI_ROUTES.contains(path) || path.equals(LIBRARY) || path.startsWith(UI_PREFIX);
    }

    /** One file: its bytes, content type and entity tag. */
    record Asset(byte[] bytes, String contentType, String etag) {
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String requestId = RequestIds.next();
        String path = request.getHttpURI().getPath();
        response.getHeaders().put("request-id", requestId);
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            ApiErrors.write(response, callback, 405, ErrorType.INVALID_REQUEST,
                    "method " + method + " is not allowed on " + clip(path) + "; use GET", requestId);
            return true;
        }
        Optional<Asset> asset = asset(path);
        if (asset.isEmpty()) {
            ApiErrors.write(response, callback, 404, ErrorType.NOT_FOUND, "no such file: " + clip(path), requestId);
            return true;
        }
        Asset a = asset.get();
        response.getHeaders().put(HttpHeader.ETAG, a.etag());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        if (matches(request.getHeaders().get(HttpHeader.IF_NONE_MATCH), a.etag())) {
            response.setStatus(304);
            response.write(true, BufferUtil.EMPTY_BUFFER, callback);
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, a.contentType());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, a.bytes().length);
        response.write(true, method.equals("HEAD") ? BufferUtil.EMPTY_BUFFER : ByteBuffer.wrap(a.bytes()), callback);
        return true;
    }

    /** The file for a request path, or empty when there is none or the path is not a plain file name. */
    Optional<Asset> asset(String path) {
        String relative;
        if (UI_ROUTES.contains(path)) {
            relative = "index.html";
        } else if (path.equals(LIBRARY)) {
            relative = LIBRARY.substring(1);
        } else if (path.startsWith(UI_PREFIX)) {
            relative = path.substring(1);
        } else {
            return Optional.empty();
        }
        String type = contentType(relative);
        if (type == null || !SAFE_PATH.matcher(relative).matches()) {
            return Optional.empty();
        }
        Asset cached = loaded.get(relative);
        if (cached != null) {
            return Optional.of(cached);
        }
        byte[] bytes;
        try (InputStream in = loader.getResourceAsStream(ROOT + relative)) {
            if (in == null) {
                return Optional.empty();
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the packaged web file " + relative, e);
        }
        Asset asset = new Asset(bytes, type, etag(bytes));
        loaded.put(relative, asset);
        return Optional.of(asset);
    }

    static String contentType(String relative) {
        int dot = relative.lastIndexOf('.');
        int slash = relative.lastIndexOf('/');
        if (dot <= slash + 1) {
            return null;
        }
        return TYPES.get(relative.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 27) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** RFC 9110 {@code If-None-Match}: {@code *} or a list of entity tags, compared weakly. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.strip();
            if (c.equals("*") || c.equals(etag) || (c.startsWith("W/") && c.substring(2).equals(etag))) {
                return true;
            }
        }
        return false;
    }

    private static String clip(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }
}
