package dev.keywarden.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 over a plain socket, for the cases a normal client will not produce: lying
 * {@code Content-Length}, stalled bodies, oversized headers, abrupt disconnects.
 */
public final class RawHttp implements AutoCloseable {

    private final Socket socket;

    public RawHttp(URI base, int readTimeoutMillis) throws IOException {
        socket = new Socket(base.getHost(), base.getPort());
        socket.setSoTimeout(readTimeoutMillis);
    }

    public RawHttp send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return this;
    }

    public RawHttp send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    public InputStream input() throws IOException {
        return socket.getInputStream();
    }

    /** Reads until the server closes, the timeout passes, or {@code max} bytes arrived. */
    public String readAvailable(int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        InputStream in = socket.getInputStream();
        try {
            int n;
            while (out.size() < max && (n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                String s = out.toString(StandardCharsets.ISO_8859_1);
                if (responseComplete(s)) {
                    break;
                }
            }
        } catch (SocketTimeoutException | java.net.SocketException e) {
            // return what arrived
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean responseComplete(String s) {
        int end = s.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = s.substring(0, end).toLowerCase();
        int cl = head.indexOf("content-length:");
        if (cl < 0) {
            return false;
        }
        int eol = head.indexOf("\r\n", cl);
        int len = Integer.parseInt(head.substring(cl + 15, eol < 0 ? head.length() : eol).trim());
        return s.length() - end - 4 >= len;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
