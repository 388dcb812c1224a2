package dev.parley.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.parley.core.StoreWrites;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The embedded store, SQLite in a file, set up so that a commit survives the death of the process:
 * write-ahead log, {@code synchronous=NORMAL} (or {@code FULL} with {@code chat.store.fsync}), and
 * a writer that waits for another's transaction instead of failing at once; the log checkpointed
 * beside the writer ({@link WalCheckpoints}) rather than by a commit.
 * <p>
 * Set on every SQLite data source whatever its URL says, so an operator's own URL cannot turn
 * durability off by leaving a parameter out. SQLite does not create directories; the file's is
 * created here. Other databases (PostgreSQL) are left alone.
 */
@Configuration(proxyBeanMethods = false)
class EmbeddedStoreConfiguration {

    private static final String SQLITE = "jdbc:sqlite:";

    /** {@code chat.store.checkpoint-interval}'s default (ChatProperties.Store). */
    private static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    /** How long a writer waits for another connection's write transaction before it fails. */
    private static final String BUSY_TIMEOUT_MILLIS = "10000";

    @Bean
    static BeanPostProcessor sqliteDurability(Environment environment) {
        Binder binder = Binder.get(environment);
        boolean fsync = binder.bind("chat.store.fsync", Boolean.class).orElse(false);
        boolean backgroundCheckpoints = !checkpointInterval(binder).isZero();
        return new BeanPostProcessor() {

            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof HikariDataSource dataSource && dataSource.getJdbcUrl() != null
                        && dataSource.getJdbcUrl().startsWith(SQLITE)) {
                    configure(dataSource, fsync, backgroundCheckpoints);
                }
                return bean;
            }
        };
    }

    /** The write-ahead log checkpointed on a thread of its own, when the store is SQLite. */
    @Bean
    @ConditionalOnExpression("'${spring.datasource.url:}'.startsWith('" + SQLITE + "')")
    WalCheckpoints walCheckpoints(DataSource dataSource, StoreWrites writes, Environment environment) {
        Duration interval = checkpointInterval(Binder.get(environment));
        return new WalCheckpoints(dataSource, writes, interval);
    }

    private static Duration checkpointInterval(Binder binder) {
        return binder.bind("chat.store.checkpoint-interval", Duration.class).orElse(DEFAULT_CHECKPOINT_INTERVAL);
    }

    /**
     * @param backgroundCheckpoints turn SQLite's checkpoints on the committing connection off:
     * {@link WalCheckpoints} runs them
     */
    static void configure(HikariDataSource dataSource, boolean fsync, boolean backgroundCheckpoints) {
        // read by the driver as pragmas of every connection it opens
        dataSource.addDataSourceProperty("journal_mode", "WAL");
        dataSource.addDataSourceProperty("synchronous", fsync ? "FULL" : "NORMAL");
        if (backgroundCheckpoints) {
            dataSource.addDataSourceProperty("wal_autocheckpoint", "0");
        }
        dataSource.addDataSourceProperty("busy_timeout", BUSY_TIMEOUT_MILLIS);
        dataSource.addDataSourceProperty("foreign_keys", "true");
        // A transaction takes the write lock when it begins: one that read first and wrote later
        // could otherwise fail at once, busy timeout or not, when another wrote in between.
        dataSource.addDataSourceProperty("transaction_mode", "IMMEDIATE");
        // The driver otherwise runs "select last_insert_rowid()", prepared anew, after every
        // insert, for getGeneratedKeys(), which Parley never asks for: 4.5 % of the server's CPU
        // while one client posts 1,000 messages a second (docs/performance.md, session 19).
        dataSource.addDataSourceProperty("jdbc.get_generated_keys", "false");
        databaseFile(dataSource.getJdbcUrl()).ifPresent(EmbeddedStoreConfiguration::createDirectory);
    }

    /** The file of {@code jdbc:sqlite:path[?options]}; none for an in-memory database. */
    static Optional<Path> databaseFile(String url) {
        String path = url.substring(SQLITE.length());
        int options = path.indexOf('?');
        if (options >= 0) {
            path = path.substring(0, options);
        }
        if (path.startsWith("file:")) {
            path = path.substring("file:".length());
        }
        if (path.isEmpty() || path.equals(":memory:") || url.contains("mode=memory")) {
            return Optional.empty();
        }
        return Optional.of(Path.of(path).toAbsolutePath());
    }

    private static void createDirectory(Path file) {
        try {
            Files.createDirectories(file.getParent());
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot create the directory of the database " + file, ex);
        }
        Path earlier = file.resolveSibling("parley.mv.db");
        if (Files.exists(earlier)) {
            Logger logger = LoggerFactory.getLogger(EmbeddedStoreConfiguration.class);
            logger.warn("{} is the H2 database of Parley 0.1, which this version does not read: history and "
                    + "claims start over in {}", earlier, file.getFileName());
        }
    }
}
