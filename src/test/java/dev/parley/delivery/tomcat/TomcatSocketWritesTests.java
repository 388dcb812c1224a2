package dev.parley.delivery.tomcat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TomcatSocketWritesTests {

    /** Without it every write blocks on a writer thread: correct, only slower. */
    @Test
    void tomcatsSocketForNonBlockingWritesIsAvailable() {
        assertThat(TomcatSocketWrites.failure()).isNull();
        assertThat(TomcatSocketWrites.available()).isTrue();
    }

    @Test
    void frameHeadersCarryEachLengthInItsSmallestForm() {
        assertThat(TomcatSocketWrites.header(125).array()).containsExactly(0x81, 125);
        assertThat(TomcatSocketWrites.header(126).array()).containsExactly(0x81, 126, 0, 126);
        assertThat(TomcatSocketWrites.header(65_535).array()).containsExactly(0x81, 126, 0xff, 0xff);
        assertThat(TomcatSocketWrites.header(65_536).array()).containsExactly(0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0);
    }
}
