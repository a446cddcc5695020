package io.hecate.core.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny origin server on a plain {@link ServerSocket}, for what the JDK server will not do on
 * purpose: close an idle keep-alive connection, send exact (or broken) response bytes. Each
 * accepted connection runs the {@link ConnectionHandler} on a small bounded pool; the socket is
 * closed when the handler returns. Everything is closed by {@link #close()}.
 */
public final class RawBackend implements AutoCloseable {

    /** Serves one accepted connection; the connection closes when this returns. */
    @FunctionalInterface
    public interface ConnectionHandler {
        void handle(Conn conn) throws IOException, InterruptedException;
    }

    /** A request as read off the wire by {@link Conn#readRequest()}. */
    public record Request(String requestLine, List<Map.Entry<String, String>> headers, byte[] body) {
        public String header(String name) {
            return HttpWire.first(headers, name);
        }
    }

    /** One accepted connection. */
    public final class Conn {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final int index;

        Conn(Socket socket, int index) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.index = index;
        }

        /** 1-based number of this connection in accept order. */
        public int index() {
            return index;
        }

        public Socket socket() {
            return socket;
        }

        /** The next request with its Content-Length or chunked body, or {@code null} when the peer closed. */
        public Request readRequest() throws IOException {
            String line;
            try {
                line = HttpWire.readLine(in);
            } catch (SocketException e) {
                return null;
            }
            if (line == null) {
                return null;
            }
            List<Map.Entry<String, String>> headers = HttpWire.readHeaders(in);
            byte[] body;
            if (HttpWire.isChunked(headers)) {
                body = HttpWire.readChunked(in);
            } else if (HttpWire.first(headers, "Content-Length") != null) {
                body = HttpWire.readFixed(in, Long.parseLong(HttpWire.first(headers, "Content-Length")));
            } else {
                body = new byte[0];
            }
            requests.incrementAndGet();
            return new Request(line, headers, body);
        }

        public void write(String ascii) throws IOException {
            out.write(ascii.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /**
         * Waits up to {@code millis} for the peer to close (or send something).
         *
         * @return true if the peer closed the connection within the time
         */
        public boolean awaitPeerClose(long millis) throws IOException {
            socket.setSoTimeout((int) millis);
            try {
                return in.read() == -1;
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                return true;
            }
        }
    }

    private final ServerSocket server;
    private final ExecutorService pool;
    private final ConnectionHandler handler;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean stopping;

    private RawBackend(ConnectionHandler handler) throws IOException {
        this.handler = handler;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        AtomicInteger threads = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "raw-backend-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "raw-backend-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static RawBackend start(ConnectionHandler handler) throws IOException {
        return new RawBackend(handler);
    }

    public int port() {
        return server.getLocalPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public int connectionsAccepted() {
        return accepted.get();
    }

    /** Connections whose handler has returned and whose socket this backend has closed. */
    public int connectionsClosed() {
        return closed.get();
    }

    public int requestCount() {
        return requests.get();
    }

    private void acceptLoop() {
        while (!stopping) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            int index = accepted.incrementAndGet();
            open.add(socket);
            pool.execute(() -> serve(socket, index));
        }
    }

    private void serve(Socket socket, int index) {
        try {
            socket.setSoTimeout(10_000);
            handler.handle(new Conn(socket, index));
        } catch (IOException e) {
            // the proxy went away; nothing to serve
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            open.remove(socket);
            closed.incrementAndGet();
        }
    }

    @Override
    public void close() {
        stopping = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
