package dev.parley.message;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.StatementCreatorUtils;
import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * One update statement, prepared once per database connection and then only bound and run again.
 * Neither SQLite's driver nor HikariCP keeps prepared statements (PostgreSQL's driver does, for
 * its own), and preparing the message insert anew for every message was 7.5 % of the server's
 * CPU in a one-sender burst (docs/performance.md, session 16).
 * <p>
 * Each statement is prepared on the pool's physical connection, which the pool does not track:
 * handing the connection back leaves it open, and it is only ever run by the thread that holds
 * its connection. A statement is kept per connection and never closed here (closing it while
 * another thread holds its connection would use that connection from two threads); it closes
 * with its connection, and connections the pool has closed are forgotten whenever a new one
 * comes. Like any {@link JdbcTemplate} call it runs on the transaction's connection when there is
 * one. Calls are serialised.
 */
final class ReusedStatement {

    private final JdbcTemplate jdbc;

    private final String sql;

    /** By physical connection: at most the pool's size, plus those it closed since the last new one. */
    private final Map<Connection, PreparedStatement> statements = new IdentityHashMap<>();

    /** How many times the statement was prepared: once per connection when it is reused. */
    private long prepared;

    /** @param sql with {@code ?} placeholders */
    ReusedStatement(DataSource dataSource, String sql) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.sql = sql;
    }

    /** Binds the values in order, as {@link org.springframework.jdbc.core.simple.JdbcClient} would, and runs it. */
    int update(@Nullable Object... values) {
        Integer rows = this.jdbc.execute((ConnectionCallback<Integer>) pooled -> run(pooled, values));
        return (rows != null) ? rows : 0;
    }

    private synchronized int run(Connection pooled, @Nullable Object[] values) throws SQLException {
        // past JdbcTemplate's close-suppressing proxy (whose unwrap answers itself), then the pool's
        PreparedStatement ps = statementOn(DataSourceUtils.getTargetConnection(pooled).unwrap(Connection.class));
        try {
            for (int i = 0; i < values.length; i++) {
                StatementCreatorUtils.setParameterValue(ps, i + 1, SqlTypeValue.TYPE_UNKNOWN, values[i]);
            }
            return ps.executeUpdate();
        }
        finally {
            ps.clearParameters();
        }
    }

    private PreparedStatement statementOn(Connection physical) throws SQLException {
        PreparedStatement ps = this.statements.get(physical);
        if (ps != null && !ps.isClosed()) {
            return ps;
        }
        this.statements.keySet().removeIf(ReusedStatement::isClosed);
        ps = physical.prepareStatement(this.sql);
        this.statements.put(physical, ps);
        this.prepared++;
        return ps;
    }

    private static boolean isClosed(Connection connection) {
        try {
            return connection.isClosed();
        }
        catch (SQLException ex) {
            return true;
        }
    }

    synchronized long prepared() {
        return this.prepared;
    }
}
