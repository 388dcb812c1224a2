package dev.parley.message;

import java.nio.file.Path;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import dev.parley.core.StoreWrites;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The embedded store for tests of the message store, as the service runs it: SQLite in a file
 * (write-ahead log, writes that take the lock when they begin, a busy timeout for several writers)
 * with the service's migrations. The PostgreSQL counterpart is {@code support.MigratedDatabase}.
 */
final class EmbeddedStore {

    private EmbeddedStore() {
    }

    /** A fresh database in this directory, migrated. */
    static SQLiteDataSource migrated(Path directory) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setBusyTimeout(10_000);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + directory.resolve("parley.db"));
        Flyway.configure().dataSource(dataSource).load().migrate();
        return dataSource;
    }

    /**
     * A store on that database: each one an instance of its own (its own memory of the rooms' last
     * ids, its own write lock), as a clustered instance would be.
     */
    static MessageHistory history(DataSource dataSource) {
        return new MessageHistory(JdbcClient.create(dataSource),
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)), new StoreWrites(), dataSource);
    }
}
