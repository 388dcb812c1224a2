package dev.parley.core;

import java.sql.DatabaseMetaData;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.stereotype.Component;

/**
 * Takes this instance's writes to the database one at a time, in the order they asked.
 * <p>
 * Why: the embedded store, SQLite, has one writer at a time, and a writer that finds it busy
 * polls with growing pauses. The group commit of messages writes back to back under load, so a
 * nickname claim polling beside it waited seconds, or failed at the busy timeout. Every write
 * transaction of this process goes through here instead and waits its turn at most one group.
 * Writes of other instances to a shared database (PostgreSQL) are the database's business.
 */
@Component
public final class StoreWrites {

    private final ReentrantLock lock = new ReentrantLock(true);

    /**
     * Whether instances of a cluster share this database (PostgreSQL), so that their appends to
     * one sequence must queue in the database, rather than the embedded store of one instance.
     */
    public static boolean isShared(DataSource dataSource) {
        try {
            return "PostgreSQL".equals(JdbcUtils.extractDatabaseMetaData(dataSource,
                    DatabaseMetaData::getDatabaseProductName));
        }
        catch (MetaDataAccessException ex) {
            throw new IllegalStateException("cannot tell which database this is", ex);
        }
    }

    /** Runs {@code write}, a whole write transaction, when no other write of this instance runs. */
    public <T> T run(Supplier<T> write) {
        this.lock.lock();
        try {
            return write.get();
        }
        finally {
            this.lock.unlock();
        }
    }
}
