package dev.parley.delivery.broker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.Trigger;

/**
 * The broker's scheduler, through which Spring's simple broker checks its sessions' heart-beats
 * {@value #CHECKS_PER_INTERVAL} times per heart-beat interval instead of once.
 * <p>
 * Why: the broker schedules one repeated task, every heart-beat interval, that ends the
 * sessions from which nothing has been read for three intervals and sends a heart-beat to those
 * to which nothing has been written for one. Checked once per interval, a client that went
 * silent was found 30 to 40 s later at the default 10 s, and ended a moment after that: beyond
 * the contract's 40 s. Checked four times per interval it is found within 32.5 s, and the
 * server's heart-beats leave within 12.5 s of the last write instead of 20 s. The check only
 * reads two timestamps per session.
 * <p>
 * Caveat: the broker does not count its own heart-beats as writes, so without
 * {@code QuietHeartbeatInterceptor} every check would send one to every quiet connection, and
 * without {@link FanOutBroker#wroteAt} make a message for each.
 * <p>
 * The broker schedules nothing else repeatedly with a fixed delay; every other call goes to the
 * scheduler unchanged.
 */
public final class BrokerHeartbeatScheduler implements TaskScheduler {

    static final int CHECKS_PER_INTERVAL = 4;

    private final TaskScheduler scheduler;

    public BrokerHeartbeatScheduler(TaskScheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
        return this.scheduler.scheduleWithFixedDelay(task, delay.dividedBy(CHECKS_PER_INTERVAL));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
        return this.scheduler.scheduleWithFixedDelay(task, startTime, delay.dividedBy(CHECKS_PER_INTERVAL));
    }

    @Override
    public Clock getClock() {
        return this.scheduler.getClock();
    }

    @Override
    public @Nullable ScheduledFuture<?> schedule(Runnable task, Trigger trigger) {
        return this.scheduler.schedule(task, trigger);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, Instant startTime) {
        return this.scheduler.schedule(task, startTime);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
        return this.scheduler.scheduleAtFixedRate(task, startTime, period);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
        return this.scheduler.scheduleAtFixedRate(task, period);
    }
}
