package dev.parley.config;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.parley.core.StoreWrites;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Checkpoints the embedded store's write-ahead log on a thread of its own, so that no commit
 * does the bulk of one.
 * <p>
 * Why: SQLite checkpoints on the committing connection, once the log passes 1,000 pages: that
 * commit copies the log into the database file and syncs the file before it returns, and every
 * message queued behind it waits (docs/performance.md, session 12: the one-sender burst's p99
 * rose from 1-2 ms to 3-4.5 ms when SQLite became the store). The store's connections are opened
 * with automatic checkpoints off ({@link EmbeddedStoreConfiguration}) and this checkpoints every
 * interval instead, in two steps:
 * <ol>
 * <li>a passive checkpoint beside the writer, which copies what the log holds without waiting
 * for anyone (the bulk of the work, and its syncs);</li>
 * <li>a second one between two writes ({@link StoreWrites}), which copies only what was committed
 * during the first and so completes: SQLite starts the log over at the next write only after a
 * checkpoint that a write did not overtake. A writer that never pauses overtakes every passive
 * checkpoint, and the log would grow without end (measured: 500 MB in 36 s of the burst).</li>
 * </ol>
 * The second step holds the writer for at most 1.9-3.2 ms here, once a second (a micro-benchmark of 1,000
 * commits a second: the commit's p99.9 0.5 ms against 3.3-3.7 ms with SQLite's own checkpoints,
 * docs/performance.md session 16).
 * <p>
 * Durability is the log's and does not change: a commit is in the log before its echo either
 * way; a checkpoint only moves it on into the database file.
 */
final class WalCheckpoints implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(WalCheckpoints.class);

    private final JdbcClient jdbc;

    private final StoreWrites writes;

    private final Duration interval;

    private ScheduledExecutorService executor;

    WalCheckpoints(DataSource dataSource, StoreWrites writes, Duration interval) {
        this.jdbc = JdbcClient.create(dataSource);
        this.writes = writes;
        this.interval = interval;
    }

    /**
     * What a checkpoint found: pages in the log, and how many of them are in the database file
     * (all of them when it completed).
     */
    record Checkpoint(int logPages, int checkpointedPages) {

        boolean complete() {
            return this.logPages >= 0 && this.logPages == this.checkpointedPages;
        }
    }

    /** The two steps; what the second found. */
    Checkpoint checkpoint() {
        Checkpoint bulk = passive();
        if (bulk.logPages() <= 0) {
            // the log was started over and nothing has been written since
            return bulk;
        }
        return this.writes.run(this::passive);
    }

    private Checkpoint passive() {
        // one row: busy (1 if it could not complete), pages in the log, pages checkpointed
        return this.jdbc.sql("pragma wal_checkpoint(passive)")
                .query((rs, row) -> new Checkpoint(rs.getInt(2), rs.getInt(3)))
                .single();
    }

    private void checkpointQuietly() {
        try {
            checkpoint();
        }
        catch (RuntimeException ex) {
            // the next interval tries again (an exception escaping would end the schedule for
            // good); the log keeps every commit meanwhile
            logger.warn("Checkpoint of the embedded store's write-ahead log failed: {}", ex.getMessage());
        }
    }

    @Override
    public synchronized void start() {
        if (this.executor != null || this.interval.isZero()) {
            // 0s: SQLite checkpoints on its own (the connections were left with their automatic checkpoints)
            return;
        }
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "store-checkpoints");
            thread.setDaemon(true);
            return thread;
        });
        long millis = this.interval.toMillis();
        this.executor.scheduleWithFixedDelay(this::checkpointQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (this.executor == null) {
            return;
        }
        this.executor.shutdownNow();
        try {
            this.executor.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        this.executor = null;
    }

    @Override
    public synchronized boolean isRunning() {
        return this.executor != null;
    }

    @Override
    public int getPhase() {
        // stopped after the web server and the group commit (default phase), while the pool is still open
        return Integer.MIN_VALUE + 1000;
    }
}
