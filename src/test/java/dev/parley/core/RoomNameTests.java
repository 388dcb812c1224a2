package dev.parley.core;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class RoomNameTests {

    @ParameterizedTest
    @ValueSource(strings = { "general", "a", "0day", "r_1-x", "abcdefghijabcdefghijabcdefghij12" })
    void acceptsTheContractsNames(String value) {
        assertThat(new RoomName(value).topic()).isEqualTo("/topic/room." + value);
        assertThat(RoomName.isValid(value)).isTrue();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = { "", "General", "_x", "-x", "a.b", "a b", "abcdefghijabcdefghijabcdefghij123", "é" })
    void refusesOthersAsInvalidRoom(String value) {
        assertThatExceptionOfType(ChatException.class).isThrownBy(() -> new RoomName(value))
                .satisfies(ex -> assertThat(ex.code()).isEqualTo(ErrorCode.INVALID_ROOM));
        assertThat(RoomName.isValid(value)).isFalse();
    }
}
