package io.hecate.core.proxy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.hecate.core.config.UpstreamConfig;
import io.hecate.core.config.UpstreamProtocol;
import io.hecate.core.testing.LeakWatcher;
import io.hecate.core.testing.ProxyFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * gRPC end to end through both HTTP/2 hops: a grpc-java client (plaintext, prior knowledge) to
 * Hecate's listener, Hecate to an upstream marked {@code protocol: h2c}, that upstream a grpc-java
 * server. The service is defined by hand (a UTF-8 string marshaller, no protoc). Status and
 * message travel in HTTP/2 trailers, so they must survive the HTTP/1 object model in between.
 */
class GrpcTest {

    private static final String SERVICE = "hecate.test.Echo";
    private static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<String, String> UNARY = method(MethodDescriptor.MethodType.UNARY, "Unary");
    private static final MethodDescriptor<String, String> CHAT = method(MethodDescriptor.MethodType.BIDI_STREAMING, "Chat");
    private static final MethodDescriptor<String, String> LOOKUP = method(MethodDescriptor.MethodType.UNARY, "Lookup");

    private Server server;
    private ManagedChannel channel;
    @AutoClose
    private ProxyFixture proxy;
    @AutoClose
    private LeakWatcher leaks;

    private static MethodDescriptor<String, String> method(MethodDescriptor.MethodType type, String name) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(UTF8)
                .setResponseMarshaller(UTF8)
                .build();
    }

    @BeforeEach
    void start() throws Exception {
        leaks = LeakWatcher.install();
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext("echo:" + request);
                    response.onCompleted();
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall((StreamObserver<String> response) -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String message) {
                        response.onNext("re:" + message);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        response.onCompleted();
                    }
                }))
                .addMethod(LOOKUP, ServerCalls.asyncUnaryCall((request, response) ->
                        response.onError(Status.NOT_FOUND.withDescription("no entry named " + request).asRuntimeException())))
                .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(service)
                .build()
                .start();
        String target = "127.0.0.1:" + server.getPort();
        proxy = ProxyFixture.start(ProxyFixture.oneRoute(UpstreamConfig.of(target).withProtocol(UpstreamProtocol.H2C)));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", proxy.http().getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Test
    void unaryCall() {
        assertThat(ClientCalls.blockingUnaryCall(channel, UNARY, options(), "hello")).isEqualTo("echo:hello");
        assertThat(ClientCalls.blockingUnaryCall(channel, UNARY, options(), "again")).isEqualTo("echo:again");
        String target = "127.0.0.1:" + server.getPort();
        assertThat(proxy.metricOrZero("hecate_upstream_connections_opened_total", "target", target))
                .as("both calls were streams of one upstream connection").isEqualTo(1);
        assertThat(proxy.metricOrZero("hecate_upstream_connections", "target", target)).isEqualTo(1);
        assertThat(leaks.collect()).isEmpty();
    }

    @Test
    void bidirectionalStreamingEchoesHundredMessagesInOrder() throws Exception {
        CompletableFuture<List<String>> done = new CompletableFuture<>();
        List<String> received = new ArrayList<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(CHAT, options()),
                new StreamObserver<>() {
                    @Override
                    public void onNext(String value) {
                        received.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(received);
                    }
                });
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            requests.onNext("message " + i);
            expected.add("re:message " + i);
        }
        requests.onCompleted();
        assertThat(done.get(10, TimeUnit.SECONDS)).containsExactlyElementsOf(expected);
        assertThat(leaks.collect()).isEmpty();
    }

    @Test
    void errorStatusAndDescriptionReachTheClient() {
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, LOOKUP, options(), "nope"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no entry named nope");
                });
        // The connection is fine afterwards.
        assertThat(ClientCalls.blockingUnaryCall(channel, UNARY, options(), "ok")).isEqualTo("echo:ok");
    }
}
