package dev.parley.delivery.session;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The threads that make the blocking writes to clients: to SockJS sessions, and to WebSocket
 * sessions when a non-blocking write cannot be tried ({@link ClientFrameWriter}). Few, so that a
 * burst of frames for many connections wakes a few threads rather than one per frame; and more
 * when they are stuck.
 * <p>
 * A client that stops reading holds the thread writing to it until its socket takes data again
 * or the send time limit closes it. If every thread were held that way, every other client
 * would wait. So {@link #checkForStall()}, run every {@link #CHECK_INTERVAL} on a thread of its
 * own, doubles the threads (up to {@code maxThreads}) when a write has waited {@link #STALL} for
 * a thread, and gives one back after a second with most of them idle. Idle extra threads end.
 * A write stuck on a client that was cut off ends at the latest with Tomcat's blocking send
 * timeout, the send time limit.
 */
public final class ClientWriters implements Executor {

    static final Duration CHECK_INTERVAL = Duration.ofMillis(25);

    /** A write waiting this long for a thread means the threads are held by slow clients. */
    static final Duration STALL = Duration.ofMillis(50);

    private static final Log logger = LogFactory.getLog(ClientWriters.class);

    private final ThreadPoolExecutor pool;

    private final ScheduledExecutorService watch;

    private final int baseThreads;

    private final int maxThreads;

    /** About a second of checks with most threads idle before one thread is given back. */
    private static final int QUIET_CHECKS_BEFORE_SHRINKING = 40;

    private int quietChecks;

    public ClientWriters(int baseThreads, int maxThreads) {
        CustomizableThreadFactory threadFactory = new CustomizableThreadFactory("client-writer-");
        threadFactory.setDaemon(true);
        this.pool = new ThreadPoolExecutor(baseThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                threadFactory);
        this.pool.allowCoreThreadTimeOut(true);
        this.baseThreads = baseThreads;
        this.maxThreads = maxThreads;
        CustomizableThreadFactory watchFactory = new CustomizableThreadFactory("client-writer-watch-");
        watchFactory.setDaemon(true);
        this.watch = Executors.newSingleThreadScheduledExecutor(watchFactory);
        this.watch.scheduleWithFixedDelay(this::checkForStall, CHECK_INTERVAL.toMillis(), CHECK_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Stops the stall check and the threads once the writes queued so far are done. */
    public void shutdown() {
        this.watch.shutdownNow();
        this.pool.shutdown();
    }

    @Override
    public void execute(Runnable write) {
        this.pool.execute(new Queued(write, System.nanoTime()));
    }

    /** Called every {@link #CHECK_INTERVAL} by a thread of its own. */
    synchronized void checkForStall() {
        int threads = this.pool.getCorePoolSize();
        if (this.pool.getQueue().peek() instanceof Queued oldest
                && System.nanoTime() - oldest.queuedAt() > STALL.toNanos()) {
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

    int threads() {
        return this.pool.getCorePoolSize();
    }

    /** Threads there are now (a metric). */
    public int poolSize() {
        return this.pool.getPoolSize();
    }

    /** Threads making a write now (a metric). */
    public int activeThreads() {
        return this.pool.getActiveCount();
    }

    /** Writes waiting for a thread (a metric). */
    public int queuedWrites() {
        return this.pool.getQueue().size();
    }
}
