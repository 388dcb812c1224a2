package dev.parley.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

import static org.awaitility.Awaitility.await;

/**
 * This machine's PostgreSQL and Redis for one test class of the {@code cluster} profile, or one
 * application context of the integration tests run on it ({@link ClusterProfileContextCustomizerFactory}):
 * a database of its own, created here and dropped at {@link #close()}, and a Redis key prefix of
 * its own, whose keys {@link #close()} deletes. The instances it starts are processes of the
 * packaged jar, so that they can be killed.
 * <p>
 * The services are the ones README's "Running a cluster" names (PostgreSQL on 127.0.0.1:5432
 * with trust authentication, Redis on 127.0.0.1:6379); {@code .ci/run} starts them when down.
 */
public final class ClusterServices implements AutoCloseable {

    /** Where the tests find PostgreSQL: {@code -Dcluster.postgres=host:port}. */
    private static final String POSTGRES = System.getProperty("cluster.postgres", "127.0.0.1:5432");

    /** Where the tests find Redis: {@code -Dcluster.redis=host:port}. */
    private static final String REDIS = System.getProperty("cluster.redis", "127.0.0.1:6379");

    /**
     * The commands that stop and start the services, for the tests that take them away under
     * traffic; by default those this machine documents for its own PostgreSQL and Redis. A run
     * against services of its own (so as not to disturb anything else on the machine) names its
     * own: {@code -Dcluster.postgres.stop="pg_ctl -D … stop -m fast"}, and so on, with {@code ''}
     * for an empty argument.
     */
    private static final String POSTGRES_STOP = System.getProperty("cluster.postgres.stop",
            "pg_ctlcluster --skip-systemctl-redirect " + debianPostgresVersion() + " main stop -m fast");

    private static final String POSTGRES_START = System.getProperty("cluster.postgres.start",
            "pg_ctlcluster --skip-systemctl-redirect " + debianPostgresVersion() + " main start");

    private static final String REDIS_STOP = System.getProperty("cluster.redis.stop",
            "redis-cli -p 6379 shutdown nosave");

    private static final String REDIS_START = System.getProperty("cluster.redis.start",
            "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no "
                    + "--dir /var/lib/redis --logfile /var/log/redis/ci.log");

    private final String database = "parley_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    private final String keyPrefix = "parley-it-" + UUID.randomUUID().toString().substring(0, 8);

    private final List<ServerProcess> instances = new ArrayList<>();

    public ClusterServices() {
        admin("create database " + this.database);
    }

    public String database() {
        return this.database;
    }

    public String keyPrefix() {
        return this.keyPrefix;
    }

    /** JDBC URL of this test's database. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + POSTGRES + "/" + this.database;
    }

    /**
     * The application's settings that put it on this test's services (database, Redis, key
     * prefix); the {@code cluster} profile itself is activated by whoever starts it.
     */
    public Map<String, Object> properties() {
        String[] redis = REDIS.split(":");
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", jdbcUrl());
        properties.put("spring.datasource.username", "postgres");
        properties.put("spring.datasource.password", "");
        properties.put("spring.data.redis.host", redis[0]);
        properties.put("spring.data.redis.port", redis[1]);
        properties.put("chat.cluster.key-prefix", this.keyPrefix);
        return properties;
    }

    /** {@link #properties()} as command-line arguments, with the {@code cluster} profile first. */
    public List<String> arguments() {
        List<String> arguments = new ArrayList<>(List.of("--spring.profiles.active=cluster"));
        properties().forEach((name, value) -> arguments.add("--" + name + "=" + value));
        return arguments;
    }

    /** Starts an instance of the packaged jar in the {@code cluster} profile on this test's services. */
    public ServerProcess startInstance(String... arguments) {
        Path jar = ServerProcess.jar()
            .orElseThrow(() -> new IllegalStateException("the packaged jar is needed: run mvn verify -Pcluster"));
        List<String> all = new ArrayList<>(arguments());
        all.addAll(List.of(arguments));
        ServerProcess instance = ServerProcess.start(jar, all.toArray(String[]::new));
        this.instances.add(instance);
        return instance;
    }

    /** Stops every instance this started, then drops the database and this test's Redis keys. */
    @Override
    public void close() {
        for (ServerProcess instance : this.instances) {
            instance.close();
        }
        admin("drop database if exists " + this.database + " with (force)");
        RedisClient client = RedisClient.create("redis://" + REDIS);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            List<String> keys = connection.sync().keys(this.keyPrefix + ":*");
            if (!keys.isEmpty()) {
                connection.sync().del(keys.toArray(String[]::new));
            }
        }
        finally {
            client.shutdown();
        }
    }

    /** The version of Debian's PostgreSQL cluster, as .ci/run finds it: {@code ls /etc/postgresql}. */
    private static String debianPostgresVersion() {
        String[] versions = new java.io.File("/etc/postgresql").list();
        return (versions != null && versions.length > 0) ? versions[0] : "15";
    }

    /** Stops PostgreSQL, as a crash would not: the tests about its absence need it gone. */
    public static void stopPostgres() {
        run(POSTGRES_STOP);
    }

    /** Starts PostgreSQL again and waits until it takes connections. */
    public static void startPostgres() {
        run(POSTGRES_START);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> admin("select 1"));
    }

    public static void stopRedis() {
        run(REDIS_STOP);
    }

    /** Starts Redis again and waits until it answers. */
    public static void startRedis() {
        run(REDIS_START);
        RedisClient client = RedisClient.create("redis://" + REDIS);
        try {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                try (StatefulRedisConnection<String, String> connection = client.connect()) {
                    connection.sync().ping();
                }
            });
        }
        finally {
            client.shutdown();
        }
    }

    /** Runs a command of the ones above, the way a shell would split it ({@code ''} an empty argument). */
    private static void run(String command) {
        List<String> arguments = new ArrayList<>();
        for (String argument : command.trim().split("\\s+")) {
            arguments.add(argument.equals("''") ? "" : argument);
        }
        try {
            Process process = new ProcessBuilder(arguments).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(command + " failed: " + output);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(command, ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(command, ex);
        }
    }

    private static void admin(String sql) {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + POSTGRES + "/postgres",
                "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("PostgreSQL at " + POSTGRES + ": " + sql, ex);
        }
    }
}
