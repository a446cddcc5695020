package io.hecate.core.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One client connection on a plain socket: sends exactly the bytes given and reads responses as
 * they come, so tests control framing, header spelling and keep-alive. Every read has a timeout.
 */
public final class RawClient implements AutoCloseable {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = socket.getOutputStream();
    }

    public static RawClient connect(InetSocketAddress address) throws IOException {
        return connect(address, 0);
    }

    /** @param receiveBuffer {@code SO_RCVBUF} set before connecting (so the window is small), or 0 for the default */
    public static RawClient connect(InetSocketAddress address, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setTcpNoDelay(true);
        socket.connect(address, 2000);
        socket.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
        return new RawClient(socket);
    }

    public Socket socket() {
        return socket;
    }

    /** The raw input, for tests that read a body themselves (e.g. a paced reader). */
    public InputStream input() {
        return in;
    }

    public RawClient send(String ascii) throws IOException {
        return send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public RawClient timeout(Duration timeout) throws SocketException {
        socket.setSoTimeout((int) timeout.toMillis());
        return this;
    }

    /** Reads the next final response, skipping (and recording) 1xx responses. */
    public RawResponse readResponse() throws IOException {
        return readResponse(false);
    }

    /** @param toHead the request was HEAD: the response has no body whatever its headers say */
    public RawResponse readResponse(boolean toHead) throws IOException {
        List<Integer> interim = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Head head = readHead();
            if (head.status >= 100 && head.status < 200) {
                interim.add(head.status);
                continue;
            }
            byte[] body;
            if (toHead || head.status == 204 || head.status == 304) {
                body = new byte[0];
            } else if (HttpWire.isChunked(head.headers)) {
                body = HttpWire.readChunked(in);
            } else if (HttpWire.first(head.headers, "Content-Length") != null) {
                body = HttpWire.readFixed(in, Long.parseLong(HttpWire.first(head.headers, "Content-Length")));
            } else {
                body = HttpWire.readToEnd(in);
            }
            return new RawResponse(head.statusLine, head.status, head.headers, body, interim);
        }
        throw new IOException("more than 10 interim responses");
    }

    /** Status line and headers of the next response; the body stays unread in {@link #input()}. */
    public Head readHead() throws IOException {
        String statusLine = HttpWire.readLine(in);
        if (statusLine == null) {
            throw new java.io.EOFException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not a status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        List<Map.Entry<String, String>> headers = HttpWire.readHeaders(in);
        return new Head(statusLine, status, headers);
    }

    /** A response head read by {@link #readHead()}. */
    public record Head(String statusLine, int status, List<Map.Entry<String, String>> headers) {
        public String header(String name) {
            return HttpWire.first(headers, name);
        }
    }

    /**
     * Whether the peer closed the connection: a read returns end of stream (or a reset) within
     * {@code within}. Bytes that arrive instead mean it is still open (and are lost).
     */
    public boolean closedByPeer(Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // connection reset
        }
    }

    /** Closes with a TCP reset (SO_LINGER 0): an abrupt abort, as a crashed client would. */
    public void abort() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
