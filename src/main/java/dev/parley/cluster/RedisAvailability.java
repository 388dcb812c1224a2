package dev.parley.cluster;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Whether this instance reaches Redis, as the last command that failed and the last probe found.
 * While Redis is away, every command waits for the client's timeout before it fails (Lettuce
 * queues commands while it reconnects), so the cluster's parts ask here first and skip Redis
 * rather than hold a client's frame for that long: presence changes stay in the instance, rate
 * limits are the instance's own, and the other instances read room messages from the store.
 * <p>
 * The first failure turns this down, with one WARN; {@link #probe()}, run every second, turns it
 * up again when Redis answers, with one INFO, and then runs what was registered with
 * {@link #onReturn} (presence catching up with what changed meanwhile), on the prober's thread.
 * While the application context is stopped (Spring's test context cache pauses the contexts it
 * is not using, which stops Redis's connection factory), Redis counts as away without a word,
 * and as there again when the context starts.
 */
final class RedisAvailability implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(RedisAvailability.class);

    private final Supplier<String> ping;

    private final String where;

    private final List<Runnable> onReturn = new CopyOnWriteArrayList<>();

    private volatile boolean up = true;

    /** Stopped with the application context (or paused in Spring's test context cache): nothing is asked of Redis. */
    private volatile boolean stopped;

    /**
     * @param ping a command that fails unless Redis answers
     * @param where Redis's address, for the log
     */
    RedisAvailability(Supplier<String> ping, String where) {
        this.ping = ping;
        this.where = where;
    }

    boolean isUp() {
        return this.up && !this.stopped;
    }

    /** After Redis's connection factory (phase 0) has started: Redis is taken to be there. */
    @Override
    public void start() {
        this.up = true;
        this.stopped = false;
    }

    /** Before Redis's connection factory stops: the timers' work and the probe wait. */
    @Override
    public void stop() {
        this.stopped = true;
    }

    @Override
    public boolean isRunning() {
        return !this.stopped;
    }

    @Override
    public int getPhase() {
        return 1;
    }

    /** A command to Redis failed: skip Redis until a probe finds it back. */
    void failed(RuntimeException cause) {
        synchronized (this) {
            if (!this.up || this.stopped) {
                return;
            }
            this.up = false;
        }
        logger.warn("Redis at {} cannot be reached ({}): presence changes wait in this instance, rate limits are "
                + "this instance's own, and the other instances read this one's messages from the store until "
                + "it is back", this.where, cause.toString());
    }

    /** Called after Redis returned, on the prober's thread. */
    void onReturn(Runnable task) {
        this.onReturn.add(task);
    }

    /** While Redis is away: asks whether it is back, and catches up when it is. */
    void probe() {
        if (this.up || this.stopped) {
            return;
        }
        try {
            this.ping.get();
        }
        catch (RuntimeException ex) {
            return;
        }
        this.up = true;
        logger.info("Redis at {} is back", this.where);
        for (Runnable task : this.onReturn) {
            try {
                task.run();
            }
            catch (RuntimeException ex) {
                failed(ex);
                return;
            }
        }
    }
}
