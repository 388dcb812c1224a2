package dev.parley.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an integration test class that is about the default run's embedded store rather than
 * about behaviour, so it does not run when the integration tests run in the {@code cluster}
 * profile ({@link IntegrationProfile#cluster()}); it reports as skipped there, with the reason.
 * <p>
 * Not inherited: a subclass that runs the same test on the cluster's services (as
 * {@code CrashClusterTests} does) runs.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(EmbeddedStoreOnlyCondition.class)
public @interface EmbeddedStoreOnly {

    /** Why the test holds for the embedded store only, in one line. */
    String value();
}
