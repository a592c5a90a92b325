package dev.keywarden.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A transparent TCP relay on a loopback port that records every byte a client sends to the
 * target, so a test can see exactly what a real client (Claude Code, a browser) put on the wire and
 * compare it with what reached the upstream. It does not interpret or change the traffic.
 *
 * <p>Guarantee: {@link #requests()} returns the HTTP/1.1 requests received so far, in the order
 * their connections were accepted and, within a connection, in the order sent (bodies framed by
 * {@code Content-Length} or chunked encoding, decoded). {@link #close()} stops listening and closes
 * every relayed connection.
 */
public final class TeeProxy implements AutoCloseable {

    /**
     * One request as the client sent it.
     *
     * @param method  the method
     * @param target  the request target, e.g. {@code /v1/messages?beta=true}
     * @param headers header names in lower case, each with its values in order (insertion order kept)
     * @param body    the body bytes (chunked encoding removed)
     */
    public record Request(String method, String target, Map<String, List<String>> headers, byte[] body) {
        /** The first value of the named header (any case), or null. */
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final ServerSocket server;
    private final URI target;
    private final List<ByteArrayOutputStream> connections = Collections.synchronizedList(new ArrayList<>());
    private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());

    private TeeProxy(ServerSocket server, URI target) {
        this.server = server;
        this.target = target;
    }

    /** Starts relaying connections on an ephemeral loopback port to {@code target} ({@code http://host:port}). */
    public static TeeProxy start(URI target) throws IOException {
        TeeProxy proxy = new TeeProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), target);
        Thread.ofVirtual().name("tee-accept").start(proxy::acceptLoop);
        return proxy;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Every request received so far, parsed. */
    public List<Request> requests() {
        List<Request> out = new ArrayList<>();
        List<byte[]> streams;
        synchronized (connections) {
            streams = new ArrayList<>();
            for (ByteArrayOutputStream c : connections) {
                synchronized (c) {
                    streams.add(c.toByteArray());
                }
            }
        }
        for (byte[] stream : streams) {
            out.addAll(parse(stream));
        }
        return out;
    }

    /** Forgets the requests recorded so far (connections still open keep relaying and record anew). */
    public void clear() {
        synchronized (connections) {
            for (ByteArrayOutputStream c : connections) {
                synchronized (c) {
                    c.reset();
                }
            }
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(target.getHost(), target.getPort());
                ByteArrayOutputStream seen = new ByteArrayOutputStream();
                connections.add(seen);
                open.add(client);
                open.add(upstream);
                Thread.ofVirtual().start(() -> pump(client, upstream, seen));
                Thread.ofVirtual().start(() -> pump(upstream, client, null));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void pump(Socket from, Socket to, ByteArrayOutputStream record) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                if (record != null) {
                    synchronized (record) {
                        record.write(buf, 0, n);
                    }
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    static List<Request> parse(byte[] stream) {
        List<Request> out = new ArrayList<>();
        int at = 0;
        while (at < stream.length) {
            int end = indexOf(stream, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), at);
            if (end < 0) {
                break;
            }
            String[] lines = new String(stream, at, end - at, StandardCharsets.ISO_8859_1).split("\r\n");
            String[] requestLine = lines[0].split(" ");
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.computeIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                            .add(lines[i].substring(colon + 1).strip());
                }
            }
            at = end + 4;
            byte[] body;
            List<String> length = headers.get("content-length");
            List<String> encoding = headers.get("transfer-encoding");
            if (encoding != null && encoding.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                while (true) {
                    int lineEnd = indexOf(stream, "\r\n".getBytes(StandardCharsets.ISO_8859_1), at);
                    if (lineEnd < 0) {
                        break;
                    }
                    int size = Integer.parseInt(new String(stream, at, lineEnd - at, StandardCharsets.ISO_8859_1).split(";")[0].strip(), 16);
                    at = lineEnd + 2;
                    if (size == 0) {
                        int trailerEnd = indexOf(stream, "\r\n".getBytes(StandardCharsets.ISO_8859_1), at);
                        at = trailerEnd < 0 ? stream.length : trailerEnd + 2;
                        break;
                    }
                    b.write(stream, at, Math.min(size, stream.length - at));
                    at += size + 2;
                }
                body = b.toByteArray();
            } else if (length != null) {
                int n = Integer.parseInt(length.get(0));
                body = Arrays.copyOfRange(stream, at, Math.min(stream.length, at + n));
                at += n;
            } else {
                body = new byte[0];
            }
            out.add(new Request(requestLine[0], requestLine.length > 1 ? requestLine[1] : "", headers, body));
        }
        return out;
    }

    private static int indexOf(byte[] data, byte[] needle, int from) {
        outer:
        for (int i = from; i <= data.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // best effort
        }
        synchronized (open) {
            for (Socket s : open) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
