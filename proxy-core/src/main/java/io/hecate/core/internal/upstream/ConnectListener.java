package io.hecate.core.internal.upstream;

/** Told, on the event loop that asked, how acquiring an upstream connection went. */
public interface ConnectListener {

    void onConnected(UpstreamConnection connection);

    void onConnectFailed(Throwable cause);
}
