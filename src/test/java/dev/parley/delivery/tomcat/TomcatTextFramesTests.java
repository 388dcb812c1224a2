package dev.parley.delivery.tomcat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TomcatTextFramesTests {

    /** If a Tomcat upgrade removes the method, writes still work, only slower: notice it here. */
    @Test
    void tomcatsByteWriteForTextMessagesIsAvailable() {
        assertThat(TomcatTextFrames.failure()).isNull();
        assertThat(TomcatTextFrames.available()).isTrue();
    }
}
