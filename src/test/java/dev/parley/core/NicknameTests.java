package dev.parley.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class NicknameTests {

    @ParameterizedTest
    @ValueSource(strings = { "alice", "Bob_2", "a-b", "Zoë", "李雷", "١٢٣", "abcdefghijabcdefghijabcdefghij12" })
    void acceptsLettersDigitsUnderscoreAndDash(String value) {
        assertThat(new Nickname(value).value()).isEqualTo(value);
    }

    @Test
    void countsCodePointsNotChars() {
        String thirtyTwoSupplementary = "𝒜".repeat(32);
        assertThat(new Nickname(thirtyTwoSupplementary).value()).isEqualTo(thirtyTwoSupplementary);
        assertThatExceptionOfType(ChatException.class).isThrownBy(() -> new Nickname("𝒜".repeat(33)));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = { "", "a b", "alice!", "<img>", "abcdefghijabcdefghijabcdefghij123", "al.ice", "tab\t" })
    void rejectsAnythingElse(String value) {
        assertThatExceptionOfType(ChatException.class).isThrownBy(() -> new Nickname(value))
                .withMessage("invalid nickname");
    }

    @Test
    void identityIgnoresCaseButKeepsSpelling() {
        Nickname alice = new Nickname("Alice");
        assertThat(alice).isEqualTo(new Nickname("aLICE")).hasSameHashCodeAs(new Nickname("alice"));
        assertThat(alice.value()).isEqualTo("Alice");
        assertThat(new Nickname("STRASSE")).isEqualTo(new Nickname("straße"));
    }
}
