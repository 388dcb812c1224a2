package dev.parley.delivery.session;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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

    private static void hold(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
