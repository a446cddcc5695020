package io.hecate.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Minimal HTTP/1.1 framing for the raw-socket client and backend: lines, header sections, bodies. */
public final class HttpWire {

    /** Longest line accepted, so a broken peer cannot make a test read forever. */
    private static final int MAX_LINE = 64 * 1024;

    private HttpWire() {
    }

    /**
     * Reads one line ending in CRLF (a bare LF is accepted too) without the terminator.
     *
     * @return the line, or {@code null} at end of stream before any byte
     */
    public static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            if (line.size() > MAX_LINE) {
                throw new IOException("line longer than " + MAX_LINE + " bytes");
            }
        }
        if (line.size() == 0) {
            return null;
        }
        throw new EOFException("stream ended inside a line: " + line.toString(StandardCharsets.ISO_8859_1));
    }

    /** Reads header lines up to the empty line; names keep their case, order is kept. */
    public static List<Map.Entry<String, String>> readHeaders(InputStream in) throws IOException {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String line = readLine(in);
            if (line == null) {
                throw new EOFException("stream ended inside a header section");
            }
            if (line.isEmpty()) {
                return headers;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("not a header line: " + line);
            }
            headers.add(Map.entry(line.substring(0, colon), line.substring(colon + 1).trim()));
        }
        throw new IOException("more than 1000 header lines");
    }

    public static String first(List<Map.Entry<String, String>> headers, String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    public static List<String> all(List<Map.Entry<String, String>> headers, String name) {
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                values.add(header.getValue());
            }
        }
        return values;
    }

    public static boolean isChunked(List<Map.Entry<String, String>> headers) {
        String te = first(headers, "Transfer-Encoding");
        return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
    }

    public static byte[] readFixed(InputStream in, long length) throws IOException {
        if (length > Integer.MAX_VALUE - 16) {
            throw new IOException("body too large to buffer: " + length);
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw new EOFException("body ended after " + body.length + " of " + length + " bytes");
        }
        return body;
    }

    /** Decodes a chunked body including its (ignored) trailer section. */
    public static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < 10_000_000; i++) {
            String sizeLine = readLine(in);
            if (sizeLine == null) {
                throw new EOFException("stream ended before a chunk size");
            }
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                readHeaders(in);
                return body.toByteArray();
            }
            body.write(readFixed(in, size));
            String end = readLine(in);
            if (end == null || !end.isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
        throw new IOException("too many chunks");
    }

    public static byte[] readToEnd(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
