package io.hecate.core.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A response read off a raw socket.
 *
 * @param statusLine the status line as received
 * @param status     its code
 * @param headers    header fields in order, names as received
 * @param body       the decoded body (chunked framing removed)
 * @param interim    status codes of 1xx responses that came before this one
 */
public record RawResponse(String statusLine, int status, List<Map.Entry<String, String>> headers, byte[] body,
                          List<Integer> interim) {

    public String header(String name) {
        return HttpWire.first(headers, name);
    }

    public List<String> headers(String name) {
        return HttpWire.all(headers, name);
    }

    public boolean hasHeader(String name) {
        return header(name) != null;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return statusLine + " " + headers + " body=" + (body.length > 200 ? body.length + " bytes" : bodyText());
    }
}
