package dev.parley.message;

import org.junit.jupiter.api.Test;

import dev.parley.core.ChatException;
import dev.parley.core.ErrorCode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class MessageTextTests {

    @Test
    void isStrippedOfUnicodeWhitespace() {
        assertThat(MessageText.of("\u2003 hi there \n\u3000", 10).value()).isEqualTo("hi there");
    }

    @Test
    void lengthCountsCodePointsAfterStripping() {
        assertThat(MessageText.of("  " + "😀".repeat(5) + "  ", 5).value()).isEqualTo("😀".repeat(5));
        assertThatExceptionOfType(ChatException.class).isThrownBy(() -> MessageText.of("😀".repeat(6), 5))
                .satisfies(ex -> assertThat(ex.code()).isEqualTo(ErrorCode.INVALID_MESSAGE));
    }

    @Test
    void blankTextIsRefused() {
        assertThatExceptionOfType(ChatException.class).isThrownBy(() -> MessageText.of(" \t\n ", 5))
                .satisfies(ex -> assertThat(ex.code()).isEqualTo(ErrorCode.INVALID_MESSAGE));
        assertThatExceptionOfType(ChatException.class).isThrownBy(() -> MessageText.of(null, 5));
    }

    @Test
    void markupIsKeptAsText() {
        assertThat(MessageText.of("<img src=x onerror=alert(1)>", 100).value())
                .isEqualTo("<img src=x onerror=alert(1)>");
    }

    @Test
    void clientIdAllowsOnlyItsAlphabet() {
        assertThat(new ClientId("9b2c-4f_A").value()).isEqualTo("9b2c-4f_A");
        assertThatExceptionOfType(ChatException.class).isThrownBy(() -> new ClientId("x".repeat(65)));
        assertThatExceptionOfType(ChatException.class).isThrownBy(() -> new ClientId("a b"));
        assertThatExceptionOfType(ChatException.class).isThrownBy(() -> new ClientId(""));
    }
}
