package dev.parley.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorHealthTests {

    @Test
    void aRelaxedGeneratorIsNoBottleneck() {
        assertTrue(GeneratorHealth.assess(0.3, 0.05, 0.4, 0.1).isEmpty());
        assertFalse(GeneratorHealth.bottleneck(0.84, 1, 9.9, 30));
    }

    @Test
    void nearlyAFullCoreIsABottleneck() {
        assertEquals(1, GeneratorHealth.assess(0.9, 0.05, 0.4, 0.1).size());
        assertTrue(GeneratorHealth.assess(0.9, 0.05, 0.4, 0.1).get(0).contains("0.90 cores"));
    }

    @Test
    void aLaggingOrFallingBehindScheduleIsABottleneck() {
        assertTrue(GeneratorHealth.bottleneck(0.2, 0.1, 25, 0.1));
        assertTrue(GeneratorHealth.bottleneck(0.2, 0.1, 5, 80));
        assertEquals(3, GeneratorHealth.assess(1.2, 0.1, 25, 900).size());
    }
}
