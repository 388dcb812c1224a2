package dev.parley.support;

import java.util.Arrays;

/**
 * Which profile the integration tests run the application in: the default run (embedded SQLite,
 * everything in one instance's memory) or, with {@code -Dspring.profiles.active=cluster} as
 * {@code mvn verify -Pcluster}'s second failsafe execution sets it, the {@code cluster} profile
 * on this machine's PostgreSQL and Redis.
 * <p>
 * The JVM's system property is the switch because Spring Boot reads it before it loads
 * {@code application-cluster.yml}, for every application context the tests start; a test-side
 * hook that runs later (a context customizer) could no longer activate a profile's files.
 * {@link ClusterProfileContextCustomizerFactory} then gives each context services of its own, and
 * a test that starts the application by itself asks {@link #cluster()} to do the same.
 */
public final class IntegrationProfile {

    private static final String CLUSTER = "cluster";

    private IntegrationProfile() {
    }

    /**
     * Whether the application under test runs in the {@code cluster} profile: what Spring Boot
     * reads, the system property or else the environment's {@code SPRING_PROFILES_ACTIVE}.
     */
    public static boolean cluster() {
        String active = System.getProperty("spring.profiles.active", System.getenv("SPRING_PROFILES_ACTIVE"));
        return active != null && Arrays.stream(active.split(",")).map(String::trim).anyMatch(CLUSTER::equals);
    }
}
