package dev.keywarden.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A loopback port to name as a child process's {@code HTTP_PROXY}/{@code HTTPS_PROXY}: every request
 * the process tries to send beyond {@code NO_PROXY} (loopback) arrives here instead, is recorded by
 * its first line ({@code CONNECT api.anthropic.com:443 HTTP/1.1}) and is refused by closing the
 * connection. So a test both keeps a real client off the network and sees where it tried to go.
 */
public final class EgressTrap implements AutoCloseable {

    private final ServerSocket server;
    private final List<String> attempts = Collections.synchronizedList(new ArrayList<>());

    private EgressTrap(ServerSocket server) {
        this.server = server;
    }

    public static EgressTrap start() throws IOException {
        EgressTrap trap = new EgressTrap(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread.ofVirtual().name("egress-trap").start(trap::acceptLoop);
        return trap;
    }

    /** {@code http://127.0.0.1:PORT}, for {@code HTTP_PROXY} and {@code HTTPS_PROXY}. */
    public String proxyUrl() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** The first line of every connection attempted so far. */
    public List<String> attempts() {
        synchronized (attempts) {
            return List.copyOf(attempts);
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> record(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void record(Socket s) {
        try (s) {
            s.setSoTimeout(2000);
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n' && line.length() < 500) {
                line.append((char) c);
            }
            attempts.add(new String(line.toString().strip().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            attempts.add("(connection without a request line)");
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
