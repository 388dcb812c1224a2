package dev.parley.delivery.tomcat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PollerLoadTests {

    private long now;

    private final PollerLoad load = new PollerLoad(this.now);

    @Test
    void framesAreHandledOnThePollerWhileThatTakesLessThanHalfItsTime() {
        List<Boolean> choices = frames(1000, 100, 400_000);

        assertThat(choices).as("1,000 frames a second of 0.4 ms each: 40 %% of the poller").containsOnly(true);
    }

    @Test
    void framesGoToTheWorkersFromTheWindowAfterOneWhereHandlingTookMoreThanHalf() {
        List<Boolean> choices = frames(1000, 100, 600_000);

        assertThat(choices.subList(0, 100)).as("the first window, before any estimate").containsOnly(true);
        assertThat(choices.subList(100, 1000)).as("1,000 frames a second of 0.6 ms each: 60 %% of the poller")
            .filteredOn(here -> here).as("samples: one in %d", PollerLoad.SAMPLE_EVERY)
            .hasSize(900 / PollerLoad.SAMPLE_EVERY);
    }

    @Test
    void framesAreHandledOnThePollerAgainOnceTheyTakeLessTime() {
        frames(1000, 100, 600_000);

        List<Boolean> choices = frames(2000, 100, 100_000);

        assertThat(choices.subList(1000, 2000)).as("1,000 frames a second of 0.1 ms each, after a busy spell")
            .containsOnly(true);
    }

    @Test
    void framesAreHandledOnThePollerAgainOnceFewerArrive() {
        frames(1000, 100, 600_000);

        List<Boolean> choices = frames(500, 50, 600_000);

        assertThat(choices.subList(0, 50)).as("the window after the busy one: samples only")
            .filteredOn(here -> here).hasSizeLessThanOrEqualTo(50 / PollerLoad.SAMPLE_EVERY + 1);
        assertThat(choices.subList(50, 500)).as("500 frames a second of 0.6 ms each: 30 %% of the poller")
            .containsOnly(true);
    }

    /**
     * {@code count} frames spread evenly over windows of {@code perWindow}, each handled in
     * {@code nanos} when the poller takes it; returns each choice in turn.
     */
    private List<Boolean> frames(int count, int perWindow, long nanos) {
        List<Boolean> choices = new ArrayList<>();
        long gap = PollerLoad.WINDOW_NANOS / perWindow;
        for (int i = 0; i < count; i++) {
            boolean here = this.load.handleHere(this.now);
            if (here) {
                this.load.handled(nanos);
            }
            choices.add(here);
            this.now += gap;
        }
        return choices;
    }
}
