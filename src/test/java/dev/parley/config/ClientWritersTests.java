package dev.parley.config;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ClientWritersTests {

    @Test
    void writesWaitingBehindStuckWritersGetMoreThreads() throws Exception {
        ClientWriters writers = new ClientWriters(2, 16);
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch othersWritten = new CountDownLatch(5);
        for (int i = 0; i < 4; i++) {
            writers.execute(() -> hold(stuck));
        }
        for (int i = 0; i < 5; i++) {
            writers.execute(othersWritten::countDown);
        }

        assertThat(othersWritten.await(5, TimeUnit.SECONDS)).as("writes behind four stuck ones").isTrue();
        assertThat(writers.threads()).isGreaterThan(4);
        stuck.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> writers.threads() == 2);
    }

    @Test
    void writersThatKeepUpStayFew() throws Exception {
        ClientWriters writers = new ClientWriters(2, 16);
        CountDownLatch written = new CountDownLatch(10_000);
        for (int i = 0; i < 10_000; i++) {
            writers.execute(written::countDown);
        }

        assertThat(written.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(writers.threads()).isEqualTo(2);
    }

    @Test
    void writesStartedTogetherWaitUntilAllAreQueuedThenAllRun() throws Exception {
        ClientWriters writers = new ClientWriters(2, 16);
        CountDownLatch written = new CountDownLatch(1_000);
        AtomicLong writtenWhileQueueing = new AtomicLong(-1);
        writers.together(() -> {
            for (int i = 0; i < 1_000; i++) {
                writers.execute(written::countDown);
            }
            writtenWhileQueueing.set(1_000 - written.getCount());
        });

        assertThat(written.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(writtenWhileQueueing).hasValue(0);
        assertThat(writers.threads()).isEqualTo(2);
    }

    @Test
    void writesStartedTogetherBehindStuckWritesGetMoreThreads() throws Exception {
        ClientWriters writers = new ClientWriters(2, 16);
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch othersWritten = new CountDownLatch(5);
        writers.together(() -> {
            for (int i = 0; i < 4; i++) {
                writers.execute(() -> hold(stuck));
            }
            for (int i = 0; i < 5; i++) {
                writers.execute(othersWritten::countDown);
            }
        });

        assertThat(othersWritten.await(5, TimeUnit.SECONDS)).as("writes behind four stuck ones").isTrue();
        assertThat(writers.threads()).isGreaterThan(2);
        stuck.countDown();
        await().atMost(Duration.ofSeconds(20)).until(() -> writers.threads() == 2);
    }

    @Test
    void togetherInsideTogetherHandsOverOnceAtTheEnd() throws Exception {
        ClientWriters writers = new ClientWriters(2, 16);
        CountDownLatch written = new CountDownLatch(2);
        AtomicLong writtenAfterInner = new AtomicLong(-1);
        writers.together(() -> {
            writers.execute(written::countDown);
            writers.together(() -> writers.execute(written::countDown));
            writtenAfterInner.set(2 - written.getCount());
        });

        assertThat(written.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(writtenAfterInner).hasValue(0);
    }

    private static void hold(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
