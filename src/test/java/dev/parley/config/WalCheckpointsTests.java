package dev.parley.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.core.StoreWrites;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded store's log is checkpointed by {@link WalCheckpoints}, not by a commit: on a real
 * SQLite file set up as the application sets it up.
 */
class WalCheckpointsTests {

    /** SQLite's own automatic checkpoint threshold, in pages. */
    private static final int SQLITE_AUTO_CHECKPOINT = 1000;

    /** Enough single-row commits to pass SQLite's threshold several times over. */
    private static final int COMMITS = 3000;

    @TempDir
    Path dir;

    private HikariDataSource dataSource;

    @AfterEach
    void close() {
        if (this.dataSource != null) {
            this.dataSource.close();
        }
    }

    @Test
    void commitsLeaveTheLogToTheCheckpointerWhichEmptiesIt() {
        WalCheckpoints checkpoints = new WalCheckpoints(store(true), new StoreWrites(), Duration.ofSeconds(1));
        JdbcClient jdbc = JdbcClient.create(this.dataSource);
        commit(jdbc, COMMITS);

        WalCheckpoints.Checkpoint first = checkpoints.checkpoint();
        // no commit checkpointed: the log holds every commit's pages
        assertThat(first.logPages()).isGreaterThan(SQLITE_AUTO_CHECKPOINT);
        assertThat(first.complete()).isTrue();

        // the next commit starts the log over: it does not grow without end
        commit(jdbc, 1);
        assertThat(checkpoints.checkpoint().logPages()).isLessThan(10);
        assertThat(jdbc.sql("select count(*) from t").query(Integer.class).single()).isEqualTo(COMMITS + 1);
    }

    @Test
    void withoutBackgroundCheckpointsACommitCheckpointsAsSqliteDoes() {
        // the control for the test above: SQLite's own checkpoints keep the log near its threshold
        WalCheckpoints checkpoints = new WalCheckpoints(store(false), new StoreWrites(), Duration.ofSeconds(1));
        commit(JdbcClient.create(this.dataSource), COMMITS);

        assertThat(checkpoints.checkpoint().logPages()).isLessThanOrEqualTo(SQLITE_AUTO_CHECKPOINT + 10);
    }

    @Test
    void theLogStartsOverWhileAWriterNeverPauses() throws Exception {
        // a passive checkpoint alone is overtaken by every commit of a busy writer, and SQLite then
        // never starts the log over: it grew by every commit (500 MB in 36 s of the bench's burst)
        StoreWrites writes = new StoreWrites();
        WalCheckpoints checkpoints = new WalCheckpoints(store(true), writes, Duration.ofSeconds(1));
        JdbcClient jdbc = JdbcClient.create(this.dataSource);
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            for (int i = 0; i < COMMITS; i++) {
                int n = i;
                // as the application writes: each write transaction through StoreWrites
                writes.run(() -> jdbc.sql("insert into t (body) values (:body)").param("body", "message " + n).update());
            }
            writing.set(false);
        });
        writer.start();
        int largestLog = 0;
        int checkpointsWhileWriting = 0;
        while (writing.get()) {
            largestLog = Math.max(largestLog, checkpoints.checkpoint().logPages());
            checkpointsWhileWriting++;
        }
        writer.join();

        assertThat(checkpointsWhileWriting).isGreaterThan(2);
        // every commit adds at least one page: a log that never started over would hold them all
        assertThat(largestLog).isLessThan(COMMITS / 2);
        assertThat(jdbc.sql("select count(*) from t").query(Integer.class).single()).isEqualTo(COMMITS);
    }

    @Test
    void runsUntilStopped() {
        WalCheckpoints checkpoints = new WalCheckpoints(store(true), new StoreWrites(), Duration.ofMillis(50));
        checkpoints.start();
        try {
            assertThat(checkpoints.isRunning()).isTrue();
        }
        finally {
            checkpoints.stop();
        }
        assertThat(checkpoints.isRunning()).isFalse();
    }

    @Test
    void anIntervalOfZeroLeavesCheckpointsToSqlite() {
        WalCheckpoints checkpoints = new WalCheckpoints(store(false), new StoreWrites(), Duration.ZERO);
        checkpoints.start();
        assertThat(checkpoints.isRunning()).isFalse();
    }

    private HikariDataSource store(boolean backgroundCheckpoints) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl("jdbc:sqlite:" + this.dir.resolve("store.db"));
        EmbeddedStoreConfiguration.configure(dataSource, false, backgroundCheckpoints);
        JdbcClient.create(dataSource).sql("create table t (id integer primary key, body text not null)").update();
        this.dataSource = dataSource;
        return dataSource;
    }

    private static void commit(JdbcClient jdbc, int commits) {
        for (int i = 0; i < commits; i++) {
            jdbc.sql("insert into t (body) values (:body)").param("body", "message " + i + " ".repeat(200)).update();
        }
    }
}
