package dev.parley.core;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class StoredInstantsTests {

    @Test
    void everyFormOfUtcTextThatIsStoredReadsAsTheFormatterReadsIt() {
        // OffsetDateTime.toString() leaves out zero seconds and writes 3, 6 or 9 digits of fraction
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(-62_000_000_000L, 250_000_000_000L);
            int nanos = switch (i % 5) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            if (i % 7 == 0) {
                seconds -= Math.floorMod(seconds, 60);
            }
            String text = Instant.ofEpochSecond(seconds, nanos).atOffset(ZoneOffset.UTC).toString();
            assertThat(StoredInstants.parse(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
        }
    }

    @Test
    void fractionsOfAnyLengthAndMinutesWithoutSecondsAreRead() {
        assertThat(StoredInstants.parse("2026-12-07T13:49Z")).isEqualTo(Instant.parse("2026-12-07T13:49:00Z"));
        assertThat(StoredInstants.parse("2026-12-07T13:49:35.5Z")).isEqualTo(Instant.parse("2026-12-07T13:49:35.500Z"));
        assertThat(StoredInstants.parse("2024-02-29T23:59:59.000000001Z"))
            .isEqualTo(Instant.parse("2024-02-29T23:59:59.000000001Z"));
    }

    @Test
    void textWithAnotherOffsetGoesToTheFormatter() {
        assertThat(StoredInstants.parse("2026-12-07T14:49:35.123+01:00"))
            .isEqualTo(Instant.parse("2026-12-07T13:49:35.123Z"));
        assertThat(StoredInstants.parse("2026-12-07T13:49:35+00:00")).isEqualTo(Instant.parse("2026-12-07T13:49:35Z"));
    }

    @Test
    void textThatIsNoTimeIsRefusedAsTheFormatterRefusesIt() {
        for (String text : new String[] { "2026-02-30T00:00Z", "2026-12-07T24:00Z", "2026-12-07T13:60Z",
                "2026-12-07T13:49:61Z", "2026-12-07T13:49:35.1234567890Z",
                "2026-12-07T13:4xZ", "2026-12-07 13:49Z", "2026-12-07T13:49", "yesterday" }) {
            assertThatExceptionOfType(DateTimeParseException.class).as(text)
                .isThrownBy(() -> StoredInstants.parse(text));
        }
    }
}
