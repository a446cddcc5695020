package io.hecate.core.internal.server;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;

import java.util.ArrayList;
import java.util.List;

/**
 * The request body parts already sent to a try, kept (as retained duplicates, not copies) so a
 * retry can send them again. Keeping stops, and everything kept is released, once the body grows
 * past the limit: such a request is not retried after its body started.
 */
final class ReplayBuffer {

    private final int limit;
    private final List<HttpContent> parts = new ArrayList<>(4);
    private long bytes;
    private boolean overflowed;

    ReplayBuffer(int limit) {
        this.limit = limit;
    }

    void keep(HttpContent part) {
        if (overflowed) {
            return;
        }
        bytes += part.content().readableBytes();
        if (bytes > limit) {
            overflowed = true;
            release();
            return;
        }
        parts.add(part.retainedDuplicate());
    }

    /** Whether every body byte received so far is kept. */
    boolean complete() {
        return !overflowed;
    }

    void writeTo(Channel upstream) {
        for (HttpContent part : parts) {
            upstream.write(part.retainedDuplicate(), upstream.voidPromise());
        }
        upstream.flush();
    }

    void release() {
        for (HttpContent part : parts) {
            part.release();
        }
        parts.clear();
    }
}
