package dev.parley.browser;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionControlTests {

    @Test
    void losingAFrameKeepsItsNeighboursInTheSameBatch() {
        String batch = "MESSAGE\n\n{\"text\":\"first\"}\0\nMESSAGE\n\n{\"text\":\"lost\"}\0MESSAGE\n\n{\"text\":\"third\"}\0";
        assertThat(ConnectionControl.withoutFrame(batch, "lost"))
            .isEqualTo("MESSAGE\n\n{\"text\":\"first\"}\0MESSAGE\n\n{\"text\":\"third\"}\0");
    }

    @Test
    void losingTheOnlyFrameLeavesNothingToSend() {
        assertThat(ConnectionControl.withoutFrame("MESSAGE\n\n{\"text\":\"lost\"}\0", "lost")).isEmpty();
    }

    @Test
    void connectLoginIsReadFromConnectFramesOnly() {
        assertThat(ConnectionControl.connectLogin("CONNECT\nlogin:alice\naccept-version:1.2\n\n\0")).isEqualTo("alice");
        assertThat(ConnectionControl.connectLogin("SEND\nlogin:alice\n\n\0")).isNull();
    }

}
