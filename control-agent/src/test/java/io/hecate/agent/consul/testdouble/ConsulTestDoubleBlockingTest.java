package io.hecate.agent.consul.testdouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.kv.model.GetValue;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Blocking queries (api-docs/features/blocking), stop() and restart() as a client lives through them. */
@Timeout(30)
class ConsulTestDoubleBlockingTest extends AgainstTheDouble {

    @Test
    void aBlockingReadWakesOnAChangeUnderItsPrefix() throws Exception {
        consul.put("app/a", "1");
        long index = client.getKVValues("app/").getConsulIndex();

        CompletableFuture<Response<List<GetValue>>> parked =
                CompletableFuture.supplyAsync(() -> client.getKVValues("app/", new QueryParams(10, index)));
        awaitParked("/v1/kv/app/", index);
        assertThat(parked).isNotDone();

        consul.put("app/b", "2");

        Response<List<GetValue>> woken = parked.get(3, TimeUnit.SECONDS);
        assertThat(woken.getConsulIndex()).isGreaterThan(index);
        assertThat(woken.getValue()).extracting(GetValue::getKey).containsExactly("app/a", "app/b");
    }

    @Test
    void aWriteElsewhereDoesNotWakeItAndItAnswersAtTheWait() throws Exception {
        consul.put("app/a", "1");
        long index = client.getKVValues("app/").getConsulIndex();

        long started = System.nanoTime();
        CompletableFuture<Response<List<GetValue>>> parked =
                CompletableFuture.supplyAsync(() -> client.getKVValues("app/", new QueryParams(1, index)));
        awaitParked("/v1/kv/app/", index);
        consul.put("other/x", "elsewhere");
        consul.put("application", "a sibling key, not under app/");

        Response<List<GetValue>> answer = parked.get(5, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).as("held for the whole wait").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(took).as("wait plus at most wait/16 of jitter, plus slack").isLessThan(Duration.ofMillis(2500));
        assertThat(answer.getConsulIndex()).as("the index of app/ did not move").isEqualTo(index);
        assertThat(consul.index()).isGreaterThan(index);
    }

    @Test
    void deletingAKeyWakesItWithAHigherIndexThanBefore() throws Exception {
        consul.put("app/a", "1");
        long index = client.getKVValues("app/").getConsulIndex();

        CompletableFuture<Response<List<GetValue>>> parked =
                CompletableFuture.supplyAsync(() -> client.getKVValues("app/", new QueryParams(10, index)));
        awaitParked("/v1/kv/app/", index);
        consul.delete("app/a");

        Response<List<GetValue>> woken = parked.get(3, TimeUnit.SECONDS);
        assertThat(woken.getValue()).as("404: nothing left under app/").isNull();
        assertThat(woken.getConsulIndex()).as("the tombstone's index").isGreaterThan(index);
    }

    @Test
    void stopReleasesAParkedQueryWithAnIoErrorAtOnce() {
        consul.put("app/a", "1");
        long index = client.getKVValues("app/").getConsulIndex();
        PlainHttp http = new PlainHttp(consul.address());

        CompletableFuture<HttpResponse<String>> parked = http.getAsync("/v1/kv/app/?recurse&index=" + index + "&wait=30s");
        awaitParked("/v1/kv/app/", index);
        long stopping = System.nanoTime();
        consul.stop();

        assertThatThrownBy(() -> parked.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void stopReleasesAnEcwidBlockingQueryWithATransportError() {
        consul.put("app/a", "1");
        long index = client.getKVValues("app/").getConsulIndex();

        CompletableFuture<Response<List<GetValue>>> parked =
                CompletableFuture.supplyAsync(() -> client.getKVValues("app/", new QueryParams(30, index)));
        awaitParked("/v1/kv/app/", index);
        consul.stop();

        assertThatThrownBy(() -> parked.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(com.ecwid.consul.transport.TransportException.class)
                .hasRootCauseInstanceOf(IOException.class);
    }

    @Test
    void restartWithoutResetKeepsDataAndIndexes() throws IOException {
        consul.put("k", "v");
        long index = consul.index();
        long modifyIndex = client.getKVValue("k").getValue().getModifyIndex();

        consul.stop();
        consul.restart(false);

        assertThat(consul.index()).isEqualTo(index);
        GetValue read = new ConsulClient("127.0.0.1", consul.port()).getKVValue("k").getValue();
        assertThat(read.getDecodedValue()).isEqualTo("v");
        assertThat(read.getModifyIndex()).isEqualTo(modifyIndex);
    }

    @Test
    void restartWithResetIndexGivesLowerIndexesAndKeepsTheData() throws IOException {
        consul.put("config/a", "1");
        consul.put("config/b", "2");
        for (int i = 0; i < 10; i++) {
            consul.put("config/a", "1." + i);
        }
        consul.registerService("node-a", "web-1", "web", "10.0.0.1", 8080, List.of("v1"), "passing");
        long indexBefore = consul.index();
        long kvIndexBefore = client.getKVValues("config/").getConsulIndex();

        consul.restart(true);

        assertThat(consul.index()).isLessThan(indexBefore).isPositive();
        ConsulClient fresh = new ConsulClient("127.0.0.1", consul.port());
        Response<List<GetValue>> read = fresh.getKVValues("config/");
        assertThat(read.getValue()).extracting(GetValue::getDecodedValue).containsExactly("1.9", "2");
        assertThat(read.getValue()).allSatisfy(v -> assertThat(v.getCreateIndex()).isEqualTo(v.getModifyIndex()));
        assertThat(read.getConsulIndex()).isLessThan(kvIndexBefore);
        assertThat(consul.kv("config/")).containsEntry("config/a", "1.9");
        assertThat(fresh.getHealthServices("web", true, QueryParams.DEFAULT).getValue()).hasSize(1);

        // A client still holding the old, higher index waits out its wait and sees the index went backwards.
        Response<List<GetValue>> stale = fresh.getKVValues("config/", new QueryParams(1, kvIndexBefore));
        assertThat(stale.getConsulIndex()).isLessThan(kvIndexBefore);
    }

    private void awaitParked(String path, long index) {
        await().atMost(Duration.ofSeconds(5)).until(() -> consul.requests().stream()
                .anyMatch(r -> r.path().equals(path) && r.rawQuery().contains("index=" + index)));
    }
}
