package dev.parley.web;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import dev.parley.core.ErrorCode;
import dev.parley.core.Nickname;
import dev.parley.core.RoomEvent;
import dev.parley.core.RoomName;
import dev.parley.message.ChatMessage;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON shapes of contract section 5, field by field. */
class EventJsonTests {

    private final JsonMapper json = JsonMapper.builder().build();

    private final RoomName general = new RoomName("general");

    @Test
    void messageHasEveryFieldWithNullClientIdAndMillisecondTimestamp() {
        ChatMessage message = new ChatMessage(1042, this.general, new Nickname("alice"), "<b>hi</b>",
                Instant.parse("2026-11-21T23:59:00Z"), null);
        assertThat(this.json.writeValueAsString(message)).isEqualTo(
                "{\"type\":\"MESSAGE\",\"id\":1042,\"room\":\"general\",\"sender\":\"alice\",\"text\":\"<b>hi</b>\","
                        + "\"sentAt\":\"2026-11-21T23:59:00.000Z\",\"clientId\":null}");
    }

    @Test
    void presenceAndTypingEvents() {
        Instant at = Instant.parse("2026-11-21T23:59:00.123456Z");
        Nickname bob = new Nickname("Bob");
        assertThat(this.json.writeValueAsString(new RoomEvent.Join(this.general, bob, at, 2))).isEqualTo(
                "{\"type\":\"JOIN\",\"room\":\"general\",\"user\":\"Bob\",\"at\":\"2026-11-21T23:59:00.123Z\",\"online\":2}");
        assertThat(this.json.writeValueAsString(new RoomEvent.Leave(this.general, bob, at, 1))).isEqualTo(
                "{\"type\":\"LEAVE\",\"room\":\"general\",\"user\":\"Bob\",\"at\":\"2026-11-21T23:59:00.123Z\",\"online\":1}");
        assertThat(this.json.writeValueAsString(new RoomEvent.Typing(this.general, bob, true, at))).isEqualTo(
                "{\"type\":\"TYPING\",\"room\":\"general\",\"user\":\"Bob\",\"typing\":true,\"at\":\"2026-11-21T23:59:00.123Z\"}");
    }

    @Test
    void errorReplyAlwaysCarriesItsFields() {
        assertThat(this.json.writeValueAsString(new ErrorReply(ErrorCode.NOT_JOINED, "join first",
                "/app/room.general.send", null))).isEqualTo(
                        "{\"type\":\"ERROR\",\"code\":\"NOT_JOINED\",\"message\":\"join first\","
                                + "\"destination\":\"/app/room.general.send\",\"clientId\":null}");
    }
}
