package dev.parley.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * Marks an integration test class: the whole application on a random port, with an SQLite file
 * of its own (in the {@code cluster} profile, a PostgreSQL database and Redis key prefix of its
 * own instead: {@link ClusterProfileContextCustomizerFactory}). Inject the port with
 * {@code @LocalServerPort int port} ({@code org.springframework.boot.test.web.server.LocalServerPort}).
 *
 * <p>All classes carrying this annotation (and nothing else that changes the context) share one
 * cached application context and one database, so every test must use fresh nicknames and room
 * names ({@link ParleyApi#uniqueName(String)}) and must not depend on what other tests did.
 * Close STOMP clients after each test ({@link StompTestClient#closeAll()} in an
 * {@code @AfterEach}, or try-with-resources). A subclass of
 * {@link ParleyIntegrationTestBase} has both done, and a {@link ParleyApi} ready.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.datasource.url=jdbc:sqlite:target/test-db/parley-it-${random.uuid}.db",
                // graceful shutdown would wait up to 30 s at JVM exit for SockJS HTTP requests of
                // clients the tests cut off on purpose
                "server.shutdown=immediate" })
public @interface ParleyIntegrationTest {
}
