package io.hecate.core.internal.upstream;

/** Receives what happens on an upstream connection while an exchange owns it. */
public interface UpstreamListener {

    /** A decoded response part; the listener owns {@code message} and must release or pass it on. */
    void onUpstreamMessage(Object message);

    /**
     * A read cycle ended, possibly without a message (a partial one is buffered in the decoder):
     * the listener asks for another read if it still wants data.
     */
    void onUpstreamReadComplete();

    void onUpstreamWritable();

    void onUpstreamClosed();

    void onUpstreamError(Throwable cause);
}
