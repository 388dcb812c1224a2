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
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Checkpoints the embedded store's write-ahead log on a thread of its own, so that no commit
 * waits for one.
 * <p>
 * Why: SQLite checkpoints on the committing connection, once the log passes 1,000 pages: that
 * commit copies the log into the database file and syncs the file before it returns, and every
 * message queued behind it waits (docs/performance.md, session 12: the one-sender burst's p99
 * rose from 1-2 ms to 3-4.5 ms when SQLite became the store). The store's connections are opened
 * with automatic checkpoints off ({@link EmbeddedStoreConfiguration}) and this runs a passive
 * checkpoint every interval instead, beside the writer: a passive checkpoint copies what it can
 * without waiting for the writer or for readers.
 * <p>
 * A writer that never pauses could outrun it, and the log would grow: once it holds more than
 * {@code maxLogPages} pages after a passive checkpoint, the next one runs between two writes
 * ({@link StoreWrites}), as SQLite's own would have, and completes.
 * <p>
 * Durability is the log's and does not change: a commit is in the log before its echo either
 * way; a checkpoint only moves it on into the database file.
 */
final class WalCheckpoints implements SmartLifecycle {

    /** Past this many pages in the log (40 MB of SQLite's 4 KB pages), a checkpoint waits for the writer. */
    static final int MAX_LOG_PAGES = 10_000;

    private static final Logger logger = LoggerFactory.getLogger(WalCheckpoints.class);

    private final JdbcClient jdbc;

    private final StoreWrites writes;

    private final Duration interval;

    private final int maxLogPages;

    private ScheduledExecutorService executor;

    WalCheckpoints(DataSource dataSource, StoreWrites writes, Duration interval, int maxLogPages) {
        this.jdbc = JdbcClient.create(dataSource);
        this.writes = writes;
        this.interval = interval;
        this.maxLogPages = maxLogPages;
    }

    /**
     * What one checkpoint found: pages in the log, and how many of them are now in the database
     * file (all of them when it completed); -1 when it could not run.
     */
    record Checkpoint(int logPages, int checkpointedPages, boolean waitedForWriter) {

        boolean complete() {
            return this.logPages >= 0 && this.logPages == this.checkpointedPages;
        }
    }

    /** One passive checkpoint, and one between two writes if the log is past its bound. */
    Checkpoint checkpoint() {
        Checkpoint passive = run();
        if (passive.logPages() > this.maxLogPages && !passive.complete()) {
            Checkpoint waited = this.writes.run(this::run);
            return new Checkpoint(waited.logPages(), waited.checkpointedPages(), true);
        }
        return passive;
    }

    private Checkpoint run() {
        // one row: busy (1 if it could not complete), pages in the log, pages checkpointed
        return this.jdbc.sql("pragma wal_checkpoint(passive)")
                .query((rs, row) -> new Checkpoint(rs.getInt(2), rs.getInt(3), false))
                .single();
    }

    private void checkpointQuietly() {
        try {
            checkpoint();
        }
        catch (DataAccessException | IllegalStateException ex) {
            // the next interval tries again; the log keeps every commit meanwhile
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
