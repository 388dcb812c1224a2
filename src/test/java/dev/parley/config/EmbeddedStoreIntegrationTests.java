package dev.parley.config;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.support.ParleyIntegrationTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteConnection;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The running application checkpoints the embedded store beside its writer: its connections have
 * SQLite's automatic checkpoints off and {@link WalCheckpoints} runs. PostgreSQL (the cluster
 * profile) gets no checkpointer.
 */
@ParleyIntegrationTest
class EmbeddedStoreIntegrationTests {

    @Autowired
    DataSource dataSource;

    @Autowired
    ObjectProvider<WalCheckpoints> checkpoints;

    @Test
    void theEmbeddedStoreIsCheckpointedBesideItsWriter() {
        String url = ((HikariDataSource) this.dataSource).getJdbcUrl();
        if (!url.startsWith("jdbc:sqlite:")) {
            assertThat(this.checkpoints.getIfAvailable()).as("a checkpointer for " + url).isNull();
            return;
        }
        assertThat(JdbcClient.create(this.dataSource).sql("pragma wal_autocheckpoint").query(Integer.class).single())
                .as("SQLite's own checkpoints on a committing connection").isZero();
        assertThat(this.checkpoints.getObject().isRunning()).isTrue();
    }

    @Test
    void theEmbeddedStoreRunsNoQueryForGeneratedKeysAfterAnInsert() throws SQLException {
        String url = ((HikariDataSource) this.dataSource).getJdbcUrl();
        Assumptions.assumeTrue(url.startsWith("jdbc:sqlite:"), "SQLite's driver only");
        try (Connection connection = this.dataSource.getConnection()) {
            assertThat(connection.unwrap(SQLiteConnection.class).getConnectionConfig().isGetGeneratedKeys())
                .as("the driver's query for generated keys after every insert").isFalse();
        }
    }
}
