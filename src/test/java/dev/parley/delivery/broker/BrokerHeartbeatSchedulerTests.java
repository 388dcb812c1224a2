package dev.parley.delivery.broker;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import org.springframework.scheduling.TaskScheduler;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

class BrokerHeartbeatSchedulerTests {

    private final TaskScheduler scheduler = mock(TaskScheduler.class);

    private final BrokerHeartbeatScheduler heartbeats = new BrokerHeartbeatScheduler(this.scheduler);

    private final Runnable task = () -> {
    };

    @Test
    void theBrokersRepeatedCheckRunsFourTimesPerInterval() {
        this.heartbeats.scheduleWithFixedDelay(this.task, Duration.ofSeconds(10));

        verify(this.scheduler).scheduleWithFixedDelay(this.task, Duration.ofMillis(2500));
    }

    @Test
    void everythingElseIsScheduledUnchanged() {
        Instant at = Instant.now();
        this.heartbeats.schedule(this.task, at);
        this.heartbeats.scheduleAtFixedRate(this.task, Duration.ofSeconds(10));

        verify(this.scheduler).schedule(this.task, at);
        verify(this.scheduler).scheduleAtFixedRate(this.task, Duration.ofSeconds(10));
    }
}
