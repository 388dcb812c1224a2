package dev.parley.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The embedded store, SQLite in a file, set up so that a commit survives the death of the process:
 * write-ahead log, {@code synchronous=NORMAL} (or {@code FULL} with {@code chat.store.fsync}), and
 * a writer that waits for another's transaction instead of failing at once.
 * <p>
 * Set on every SQLite data source whatever its URL says, so an operator's own URL cannot turn
 * durability off by leaving a parameter out. SQLite does not create directories; the file's is
 * created here. Other databases (PostgreSQL) are left alone.
 */
@Configuration(proxyBeanMethods = false)
class EmbeddedStoreConfiguration {

    private static final String SQLITE = "jdbc:sqlite:";

    /** How long a writer waits for another connection's write transaction before it fails. */
    private static final String BUSY_TIMEOUT_MILLIS = "10000";

    @Bean
    static BeanPostProcessor sqliteDurability(Environment environment) {
        boolean fsync = Binder.get(environment).bind("chat.store.fsync", Boolean.class).orElse(false);
        return new BeanPostProcessor() {

            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof HikariDataSource dataSource && dataSource.getJdbcUrl() != null
                        && dataSource.getJdbcUrl().startsWith(SQLITE)) {
                    configure(dataSource, fsync);
                }
                return bean;
            }
        };
    }

    static void configure(HikariDataSource dataSource, boolean fsync) {
        // read by the driver as pragmas of every connection it opens
        dataSource.addDataSourceProperty("journal_mode", "WAL");
        dataSource.addDataSourceProperty("synchronous", fsync ? "FULL" : "NORMAL");
        dataSource.addDataSourceProperty("busy_timeout", BUSY_TIMEOUT_MILLIS);
        dataSource.addDataSourceProperty("foreign_keys", "true");
        // A transaction takes the write lock when it begins: one that read first and wrote later
        // could otherwise fail at once, busy timeout or not, when another wrote in between.
        dataSource.addDataSourceProperty("transaction_mode", "IMMEDIATE");
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
