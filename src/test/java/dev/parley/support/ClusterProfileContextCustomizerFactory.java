package dev.parley.support;

import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Puts every application context of the integration tests on services of its own when they run
 * in the {@code cluster} profile ({@link IntegrationProfile#cluster()}): a fresh PostgreSQL
 * database and a fresh Redis key prefix ({@link ClusterServices}), which override, above
 * everything else, the datasource and Redis settings a test declares (such as
 * {@link ParleyIntegrationTest}'s SQLite file). The database is dropped and the keys deleted when
 * the context closes: when Spring's context cache evicts it, or at the JVM's end.
 * <p>
 * In the default run it adds nothing, so the contexts and their caching are exactly as before.
 * Registered in {@code META-INF/spring.factories}.
 */
class ClusterProfileContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        return IntegrationProfile.cluster() ? new ClusterServicesCustomizer() : null;
    }

    /**
     * Creates the services when Spring creates the context, not per test class: the customizer
     * is part of the context cache's key, so it holds no state and every instance is equal to
     * every other; test classes that shared a context still share one, with one database.
     */
    static final class ClusterServicesCustomizer implements ContextCustomizer {

        /** Named so that Spring's bean names never meet it. */
        private static final String SERVICES_BEAN = "dev.parley.support.clusterServices";

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            ClusterServices services = new ClusterServices();
            // first: above the test's inlined properties, which Spring Boot put first before this runs
            context.getEnvironment()
                .getPropertySources()
                .addFirst(new MapPropertySource("parleyClusterServices", services.properties()));
            // Spring's test context cache keeps up to 32 contexts alive, each with its pool: with
            // Hikari's default of 10 connections held idle they outgrew PostgreSQL's 100 clients
            context.getEnvironment()
                .getPropertySources()
                .addFirst(new MapPropertySource("parleyClusterServicesPool",
                        Map.of("spring.datasource.hikari.maximum-pool-size", "4",
                                "spring.datasource.hikari.minimum-idle", "1")));
            // Disposable beans are destroyed in the reverse order of their registration, and this
            // one is registered before the context refreshes: it goes last, once the server, the
            // connection pool and the Redis clients are closed, and nothing writes to what it drops.
            if (context.getBeanFactory() instanceof DefaultListableBeanFactory beans) {
                beans.registerDisposableBean(SERVICES_BEAN, services::close);
            }
            else {
                services.close();
                throw new IllegalStateException("cannot tie the services' lifetime to " + context);
            }
        }

        @Override
        public boolean equals(Object other) {
            return other != null && other.getClass() == getClass();
        }

        @Override
        public int hashCode() {
            return getClass().hashCode();
        }
    }
}
