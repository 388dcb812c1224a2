package dev.parley.delivery.broker;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.util.AntPathMatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class CachingPathMatcherTests {

    private static final List<String> PATTERNS = List.of("room.{room}.send", "room.{room}.join", "room.{room}.users",
            "**", "room.*.typing");

    private static final List<String> DESTINATIONS = List.of("room.general.send", "room.general.join",
            "room.x.users", "room.general.typing", "room..send", "room.a.b.send", "other", "", "room.general.send.");

    @Test
    void answersAsAntPathMatcherWithADotSeparatorTheFirstTimeAndAfter() {
        AntPathMatcher spring = new AntPathMatcher(".");
        CachingPathMatcher matcher = new CachingPathMatcher();

        for (int round = 0; round < 2; round++) {
            for (String pattern : PATTERNS) {
                for (String destination : DESTINATIONS) {
                    assertThat(matcher.match(pattern, destination)).as("%s ~ %s", pattern, destination)
                        .isEqualTo(spring.match(pattern, destination));
                }
            }
        }
    }

    @Test
    void aDestinationIsMatchedOncePerPattern() {
        AtomicInteger asked = new AtomicInteger();
        CachingPathMatcher matcher = new CachingPathMatcher(new AntPathMatcher(".") {
            @Override
            public boolean match(String pattern, String path) {
                asked.incrementAndGet();
                return super.match(pattern, path);
            }
        });

        for (int i = 0; i < 100; i++) {
            assertThat(matcher.match("room.{room}.send", "room.general.send")).isTrue();
            assertThat(matcher.match("room.{room}.join", "room.general.send")).isFalse();
        }

        assertThat(asked).hasValue(2);
    }

    @Test
    void variablesAreEachDestinationsOwn() {
        CachingPathMatcher matcher = new CachingPathMatcher();

        Map<String, String> general = matcher.extractUriTemplateVariables("room.{room}.send", "room.general.send");
        Map<String, String> random = matcher.extractUriTemplateVariables("room.{room}.send", "room.random.send");

        assertThat(general).containsExactly(Map.entry("room", "general"));
        assertThat(random).containsExactly(Map.entry("room", "random"));
        assertThat(matcher.extractUriTemplateVariables("room.{room}.send", "room.general.send")).isEqualTo(general);
    }

    @Test
    void aDestinationThatDoesNotMatchHasNoVariablesTheSecondTimeEither() {
        CachingPathMatcher matcher = new CachingPathMatcher();

        for (int i = 0; i < 2; i++) {
            assertThatIllegalStateException()
                .isThrownBy(() -> matcher.extractUriTemplateVariables("room.{room}.send", "room.general.join"));
        }
    }

    @Test
    void everNewDestinationsAreForgottenInsteadOfHoarded() {
        CachingPathMatcher matcher = new CachingPathMatcher();

        for (int i = 0; i < 3 * CachingPathMatcher.MAX_REMEMBERED; i++) {
            assertThat(matcher.match("room.{room}.send", "room.r" + i + ".send")).isTrue();
            assertThat(matcher.rememberedFor("room.{room}.send")).isLessThanOrEqualTo(CachingPathMatcher.MAX_REMEMBERED);
        }
        assertThat(matcher.match("room.{room}.send", "room.r1.join")).isFalse();
    }

    @Test
    void everNewPatternsStillMatchButAreNotRemembered() {
        CachingPathMatcher matcher = new CachingPathMatcher();

        for (int i = 0; i < 2 * CachingPathMatcher.MAX_PATTERNS; i++) {
            assertThat(matcher.match("room.p" + i + ".*", "room.p" + i + ".x")).isTrue();
            assertThat(matcher.match("room.p" + i + ".*", "room.q.x")).isFalse();
        }

        assertThat(matcher.rememberedFor("room.p0.*")).isEqualTo(2);
        assertThat(matcher.rememberedFor("room.p" + (2 * CachingPathMatcher.MAX_PATTERNS - 1) + ".*")).isZero();
    }

}
