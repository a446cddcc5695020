package io.hecate.core.internal.server;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;

import java.util.Queue;

/** Encodes responses, leaving out the body of a response to HEAD whatever its framing headers say. */
final class ResponseEncoder extends HttpResponseEncoder {

    private final Queue<HttpMethod> methods;

    ResponseEncoder(Queue<HttpMethod> methods) {
        this.methods = methods;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        if (msg.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            HttpMethod method = methods.poll();
            if (HttpMethod.HEAD.equals(method)) {
                return true;
            }
        }
        return super.isContentAlwaysEmpty(msg);
    }
}
