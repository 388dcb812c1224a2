package dev.parley.config;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;

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
        WalCheckpoints checkpoints = new WalCheckpoints(store(true), new StoreWrites(), Duration.ofSeconds(1),
                WalCheckpoints.MAX_LOG_PAGES);
        JdbcClient jdbc = JdbcClient.create(this.dataSource);
        commit(jdbc, COMMITS);

        WalCheckpoints.Checkpoint first = checkpoints.checkpoint();
        // no commit checkpointed: the log holds every commit's pages
        assertThat(first.logPages()).isGreaterThan(SQLITE_AUTO_CHECKPOINT);
        assertThat(first.complete()).isTrue();
        assertThat(first.waitedForWriter()).isFalse();

        // the next commit starts the log over: it does not grow without end
        commit(jdbc, 1);
        assertThat(checkpoints.checkpoint().logPages()).isLessThan(10);
        assertThat(jdbc.sql("select count(*) from t").query(Integer.class).single()).isEqualTo(COMMITS + 1);
    }

    @Test
    void withoutBackgroundCheckpointsACommitCheckpointsAsSqliteDoes() {
        // the control for the test above: SQLite's own checkpoints keep the log near its threshold
        WalCheckpoints checkpoints = new WalCheckpoints(store(false), new StoreWrites(), Duration.ofSeconds(1),
                WalCheckpoints.MAX_LOG_PAGES);
        commit(JdbcClient.create(this.dataSource), COMMITS);

        assertThat(checkpoints.checkpoint().logPages()).isLessThanOrEqualTo(SQLITE_AUTO_CHECKPOINT + 10);
    }

    @Test
    void aLogPastItsBoundIsCheckpointedBetweenWrites() throws Exception {
        WalCheckpoints checkpoints = new WalCheckpoints(store(true), new StoreWrites(), Duration.ofSeconds(1), 10);
        JdbcClient jdbc = JdbcClient.create(this.dataSource);
        commit(jdbc, 50);
        // a connection of its own: the store's begin their transactions with the write lock
        try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("store.db"))) {
            // a reader's snapshot keeps later pages out of the database file: the passive
            // checkpoint cannot complete, and the log is past its bound of 10 pages
            reader.setAutoCommit(false);
            try (Statement statement = reader.createStatement()) {
                statement.executeQuery("select count(*) from t").close();
            }
            commit(jdbc, 50);

            WalCheckpoints.Checkpoint held = checkpoints.checkpoint();
            assertThat(held.waitedForWriter()).isTrue();
            assertThat(held.complete()).isFalse();
            reader.rollback();
        }
        WalCheckpoints.Checkpoint released = checkpoints.checkpoint();
        assertThat(released.complete()).isTrue();
        assertThat(released.waitedForWriter()).isFalse();
    }

    @Test
    void runsUntilStopped() {
        WalCheckpoints checkpoints = new WalCheckpoints(store(true), new StoreWrites(), Duration.ofMillis(50),
                WalCheckpoints.MAX_LOG_PAGES);
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
        WalCheckpoints checkpoints = new WalCheckpoints(store(false), new StoreWrites(), Duration.ZERO,
                WalCheckpoints.MAX_LOG_PAGES);
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
