package dev.parley.support;

import java.util.Optional;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips a class marked {@link EmbeddedStoreOnly} in the {@code cluster} profile. It looks at the
 * test class's own annotation only: JUnit also applies this condition to subclasses (it inherits
 * {@code @ExtendWith}), which are not marked.
 */
class EmbeddedStoreOnlyCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!IntegrationProfile.cluster() || context.getTestMethod().isPresent()) {
            return ConditionEvaluationResult.enabled("not the cluster profile, or decided for the class");
        }
        Optional<EmbeddedStoreOnly> marked = context.getTestClass()
            .map(testClass -> testClass.getDeclaredAnnotation(EmbeddedStoreOnly.class));
        return marked.map(only -> ConditionEvaluationResult.disabled("embedded store only: " + only.value()))
            .orElseGet(() -> ConditionEvaluationResult.enabled("not marked @EmbeddedStoreOnly"));
    }
}
