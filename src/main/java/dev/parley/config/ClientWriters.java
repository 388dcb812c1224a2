package dev.parley.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The threads that write to clients, with blocking I/O. Few, so that a burst of frames for many
 * connections wakes a few threads rather than one per frame; and more when they are stuck.
 * <p>
 * A client that stops reading holds the thread writing to it until its socket takes data again
 * or the send time limit closes it. If every thread were held that way, every other client
 * would wait. So {@link #checkForStall()}, run every {@link #CHECK_INTERVAL} on a thread of its
 * own, doubles the threads (up to {@code maxThreads}) when a write has waited {@link #STALL} for
 * a thread, and gives one back after a second with most of them idle. Idle extra threads end.
 * A write stuck on a client that was cut off ends at the latest with Tomcat's blocking send
 * timeout, the send time limit.
 * <p>
 * Writes started {@link #together} (a room broadcast's, one per subscriber) are handed over as
 * one group that at most as many threads as there are take turns draining, rather than one task
 * each: a broadcast to 50 clients wakes the threads once instead of passing 50 tasks through
 * the pool's queue. A group whose writes have all stalled for {@link #STALL} gets another thread.
 */
final class ClientWriters implements Executor {

    static final Duration CHECK_INTERVAL = Duration.ofMillis(25);

    /** A write waiting this long for a thread means the threads are held by slow clients. */
    static final Duration STALL = Duration.ofMillis(50);

    private static final Log logger = LogFactory.getLog(ClientWriters.class);

    private final ThreadPoolExecutor pool;

    private final int baseThreads;

    private final int maxThreads;

    /** About a second of checks with most threads idle before one thread is given back. */
    private static final int QUIET_CHECKS_BEFORE_SHRINKING = 40;

    private int quietChecks;

    /** The writes started by this thread inside {@link #together}, not yet handed over. */
    private final ThreadLocal<List<Runnable>> collecting = new ThreadLocal<>();

    /** Groups handed over whose writes have not all started: watched for stalls. */
    private final Queue<Group> groups = new ConcurrentLinkedQueue<>();

    ClientWriters(int baseThreads, int maxThreads) {
        CustomizableThreadFactory threadFactory = new CustomizableThreadFactory("client-writer-");
        threadFactory.setDaemon(true);
        this.pool = new ThreadPoolExecutor(baseThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                threadFactory);
        this.pool.allowCoreThreadTimeOut(true);
        this.baseThreads = baseThreads;
        this.maxThreads = maxThreads;
        CustomizableThreadFactory watchFactory = new CustomizableThreadFactory("client-writer-watch-");
        watchFactory.setDaemon(true);
        Executors.newSingleThreadScheduledExecutor(watchFactory).scheduleWithFixedDelay(this::checkForStall,
                CHECK_INTERVAL.toMillis(), CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void execute(Runnable write) {
        List<Runnable> group = this.collecting.get();
        if (group != null) {
            group.add(write);
        }
        else {
            this.pool.execute(new Queued(write, System.nanoTime()));
        }
    }

    /**
     * Runs {@code work} on this thread, holding back the writes it starts, and hands them to the
     * writer threads as one group when it returns.
     */
    void together(Runnable work) {
        if (this.collecting.get() != null) {
            work.run();
            return;
        }
        List<Runnable> writes = new ArrayList<>();
        this.collecting.set(writes);
        try {
            work.run();
        }
        finally {
            this.collecting.remove();
            handOver(writes);
        }
    }

    private void handOver(List<Runnable> writes) {
        long now = System.nanoTime();
        if (writes.size() == 1) {
            this.pool.execute(new Queued(writes.get(0), now));
        }
        else if (writes.size() > 1) {
            Group group = new Group(writes, now);
            this.groups.add(group);
            int takers = Math.min(writes.size(), this.pool.getCorePoolSize());
            for (int i = 0; i < takers; i++) {
                this.pool.execute(new Queued(group, now));
            }
        }
    }

    /** Called every {@link #CHECK_INTERVAL} by a thread of its own. */
    synchronized void checkForStall() {
        int threads = this.pool.getCorePoolSize();
        long now = System.nanoTime();
        boolean stalled = this.pool.getQueue().peek() instanceof Queued oldest
                && now - oldest.queuedAt() > STALL.toNanos();
        this.groups.removeIf(Group::allStarted);
        for (Group group : this.groups) {
            if (now - group.lastStartedAt() > STALL.toNanos()) {
                // every thread taking from the group is held by a slow client: one more
                this.pool.execute(new Queued(group, now));
                stalled = true;
            }
        }
        if (stalled) {
            if (threads < this.maxThreads) {
                int more = Math.min(this.maxThreads, threads * 2);
                logger.info("Client writes waited " + STALL.toMillis() + " ms for a thread (slow clients hold the "
                        + threads + " writer threads): " + more + " threads");
                this.pool.setCorePoolSize(more);
            }
            this.quietChecks = 0;
        }
        else if (threads > this.baseThreads && this.pool.getActiveCount() < threads / 2
                && ++this.quietChecks >= QUIET_CHECKS_BEFORE_SHRINKING) {
            this.pool.setCorePoolSize(threads - 1);
            this.quietChecks = 0;
        }
    }

    private record Queued(Runnable write, long queuedAt) implements Runnable {

        @Override
        public void run() {
            this.write.run();
        }
    }

    /** Writes that the threads taking part start one after another, each the next not yet started. */
    private static final class Group implements Runnable {

        private final List<Runnable> writes;

        private final AtomicInteger next = new AtomicInteger();

        private volatile long lastStartedAt;

        Group(List<Runnable> writes, long handedOverAt) {
            this.writes = writes;
            this.lastStartedAt = handedOverAt;
        }

        @Override
        public void run() {
            int i;
            while ((i = this.next.getAndIncrement()) < this.writes.size()) {
                this.lastStartedAt = System.nanoTime();
                this.writes.get(i).run();
            }
        }

        boolean allStarted() {
            return this.next.get() >= this.writes.size();
        }

        long lastStartedAt() {
            return this.lastStartedAt;
        }
    }

    int threads() {
        return this.pool.getCorePoolSize();
    }
}
