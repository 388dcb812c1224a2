package dev.parley.support;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A database of its own on this machine's PostgreSQL ({@link ClusterServices}), migrated as the
 * service migrates it, with a pool on it: for tests of a store as the instances of a cluster
 * share it. {@link #close()} closes the pool and drops the database.
 */
public final class MigratedDatabase implements AutoCloseable {

    private final ClusterServices services = new ClusterServices();

    private final HikariDataSource dataSource = new HikariDataSource();

    public MigratedDatabase() {
        this.dataSource.setJdbcUrl(this.services.jdbcUrl());
        this.dataSource.setUsername("postgres");
        Flyway.configure().dataSource(this.dataSource).load().migrate();
    }

    public DataSource dataSource() {
        return this.dataSource;
    }

    public JdbcClient jdbc() {
        return JdbcClient.create(this.dataSource);
    }

    /** Transactions on the pool, each with a connection of its own, as the service's are. */
    public TransactionTemplate transactions() {
        return new TransactionTemplate(new DataSourceTransactionManager(this.dataSource));
    }

    @Override
    public void close() {
        this.dataSource.close();
        this.services.close();
    }
}
