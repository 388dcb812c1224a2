package dev.parley.support;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

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
