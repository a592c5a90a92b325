package dev.keywarden.vault.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.vault.source.SecretSourceException.Kind;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP side of the cloud sources: one JDK {@link HttpClient} per source (HTTP/1.1, no
 * redirects, so a token is never sent to a second host), a connect timeout and an overall
 * deadline for the whole answer, bodies capped at 1 MiB, and network failures mapped to
 * {@link SecretSourceException}s that name the source and the host.
 */
final class SourceHttp {

    static final int MAX_BODY = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A complete answer. {@link #body} may hold the secret: callers wipe it when done. */
    record Answer(int status, byte[] body) {
        void wipe() {
            Arrays.fill(body, (byte) 0);
        }

        @Override
        public String toString() {
            return "Answer[status=" + status + ", " + body.length + " bytes]";
        }
    }

    private final String describe;
    private final Duration timeout;
    private volatile HttpClient client;

    SourceHttp(String describe, Duration timeout) {
        this.describe = describe;
        this.timeout = timeout;
    }

    Answer send(HttpRequest.Builder request, String host) {
        HttpRequest built = request.timeout(timeout).build();
        CompletableFuture<HttpResponse<byte[]>> future = client().sendAsync(built, info -> new BoundedBody(MAX_BODY));
        try {
            HttpResponse<byte[]> response = future.get(timeout.toMillis() + 250, TimeUnit.MILLISECONDS);
            return new Answer(response.statusCode(), response.body());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw timedOut(host, null);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new SecretSourceException(Kind.UNAVAILABLE, describe + ": interrupted while waiting for " + host);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpConnectTimeoutException || cause instanceof HttpTimeoutException) {
                throw timedOut(host, cause);
            }
            if (cause instanceof BodyTooLarge) {
                throw new SecretSourceException(Kind.BAD_RESPONSE, describe + ": " + host + " answered with more than "
                        + MAX_BODY + " bytes, which is not the documented API; check the address");
            }
            if (cause instanceof ConnectException) {
                throw new SecretSourceException(Kind.UNAVAILABLE, describe + ": cannot connect to " + host
                        + "; check the address and that the service is running and reachable", cause);
            }
            if (cause instanceof IOException) {
                throw new SecretSourceException(Kind.UNAVAILABLE, describe + ": request to " + host + " failed ("
                        + cause.getClass().getSimpleName() + "); check the address, TLS and network", cause);
            }
            throw new SecretSourceException(Kind.UNAVAILABLE, describe + ": request to " + host + " failed ("
                    + (cause == null ? "unknown" : cause.getClass().getSimpleName()) + ")");
        }
    }

    private SecretSourceException timedOut(String host, Throwable cause) {
        return new SecretSourceException(Kind.UNAVAILABLE, describe + ": no answer from " + host + " within "
                + timeout.toMillis() + " ms; check the address and network, or raise the timeout", cause);
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .connectTimeout(timeout)
                            .build();
                    client = c;
                }
            }
        }
        return c;
    }

    /**
     * Parses a JSON body. A body that is not JSON gives an error naming the source; the parser's
     * own message is dropped because it quotes the body, which may hold the secret.
     */
    JsonNode json(Answer answer, String what) {
        try {
            JsonNode node = JSON.readTree(answer.body());
            if (node == null || node.isMissingNode()) {
                throw new IOException("empty");
            }
            return node;
        } catch (IOException e) {
            throw new SecretSourceException(Kind.BAD_RESPONSE, describe + ": " + what + " answered (status " + answer.status()
                    + ") with something that is not JSON, which is not the documented API; check the address");
        }
    }

    /** Parses JSON from a value (a secret string holding a JSON object); errors never quote it. */
    static JsonNode jsonValue(String value) throws IOException {
        return JSON.readTree(value);
    }

    /**
     * Checks an address for a cloud source: http or https, a host, no user info, query or
     * fragment; warns when a token would travel unencrypted to a host that is not loopback.
     */
    static URI endpoint(String scheme, String setting, String raw, SourceOptions options) {
        URI uri;
        try {
            uri = new URI(raw.strip());
        } catch (URISyntaxException e) {
            throw new SecretSourceException(Kind.MISCONFIGURED, scheme + ": " + setting
                    + " is not a valid URL; write e.g. https://host:port");
        }
        String s = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!s.equals("https") && !s.equals("http") || uri.getHost() == null) {
            throw new SecretSourceException(Kind.MISCONFIGURED, scheme + ": " + setting
                    + " must be an http(s) URL with a host, e.g. https://host:port");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new SecretSourceException(Kind.MISCONFIGURED, scheme + ": " + setting
                    + " must not contain user info, a query or a fragment (credentials never go into URLs); "
                    + "write just https://host:port");
        }
        if (s.equals("http") && !isLoopback(uri.getHost())) {
            options.warn(scheme + ": " + setting + " uses plain http to " + uri.getHost()
                    + ", so the access token and the key travel unencrypted; use https");
        }
        String text = uri.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return URI.create(text);
    }

    private static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false; // a name: do not resolve it here
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code host[:port]} as the JDK client sends it in {@code Host} (the port only when not the scheme's default). */
    static String hostHeader(URI uri) {
        int port = uri.getPort();
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        boolean defaultPort = port == -1 || (https ? port == 443 : port == 80);
        return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
    }

    private static final class BodyTooLarge extends IOException {
        BodyTooLarge() {
            super("response body too large", null);
        }
    }

    /** Collects the body into one array, failing once it passes {@code limit} bytes. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        private Flow.Subscription subscription;

        BoundedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                if (out.size() + b.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new BodyTooLarge());
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.write(chunk, 0, chunk.length);
                Arrays.fill(chunk, (byte) 0);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
