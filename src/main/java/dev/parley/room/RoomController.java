package dev.parley.room;

import java.time.Clock;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.JsonNode;

import dev.parley.bus.RoomBus;
import dev.parley.core.ChatException;
import dev.parley.core.ChatUser;
import dev.parley.core.ErrorCode;
import dev.parley.core.RoomEvent;
import dev.parley.core.RoomName;
import dev.parley.ratelimit.RateLimits;
import dev.parley.presence.Presence;
import dev.parley.web.JsonBody;

import org.springframework.messaging.Message;
import org.springframework.messaging.handler.annotation.DestinationVariable;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.annotation.SubscribeMapping;
import org.springframework.stereotype.Controller;

/** Joining, leaving and typing in a room, and its online list on subscription. */
@Controller
class RoomController {

    private final Presence presence;

    private final RoomBus bus;

    private final RateLimits rateLimits;

    private final Clock clock;

    private final Counter joins;

    private final Counter typingRefusals;

    RoomController(Presence presence, RoomBus bus, RateLimits rateLimits, Clock clock, MeterRegistry meters) {
        this.presence = presence;
        this.bus = bus;
        this.rateLimits = rateLimits;
        this.clock = clock;
        this.joins = Counter.builder("parley.joins")
            .description("Joins accepted (a re-join of a room the connection is in counts too)")
            .register(meters);
        this.typingRefusals = RateLimits.refusals(meters, "typing");
    }

    @MessageMapping("room.{room}.join")
    void join(@DestinationVariable("room") String roomName, Message<byte[]> frame) {
        ChatUser user = ChatUser.of(frame);
        RoomName room = new RoomName(roomName);
        JsonBody.object(frame.getPayload());
        this.presence.join(sessionId(frame), user, room);
        this.joins.increment();
    }

    @MessageMapping("room.{room}.leave")
    void leave(@DestinationVariable("room") String roomName, Message<byte[]> frame) {
        RoomName room = new RoomName(roomName);
        JsonBody.object(frame.getPayload());
        this.presence.leave(sessionId(frame), room);
    }

    @MessageMapping("room.{room}.typing")
    void typing(@DestinationVariable("room") String roomName, Message<byte[]> frame) {
        ChatUser user = ChatUser.of(frame);
        RoomName room = new RoomName(roomName);
        JsonNode typing = JsonBody.object(frame.getPayload()).get("typing");
        if (typing == null || !typing.isBoolean()) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "typing must be true or false");
        }
        if (!this.presence.isJoined(sessionId(frame), room)) {
            throw new ChatException(ErrorCode.NOT_JOINED, "join room '" + room + "' before typing");
        }
        // the excess is dropped silently: a missed typing event corrects itself within seconds
        if (this.rateLimits.tryType(user.nickname())) {
            this.bus.publish(room, new RoomEvent.Typing(room, user.nickname(), typing.booleanValue(),
                    this.clock.instant()));
        }
        else {
            this.typingRefusals.increment();
        }
    }

    /** One reply to the subscriber, then nothing: live changes come as JOIN / LEAVE events. */
    @SubscribeMapping("room.{room}.users")
    RoomUsers users(@DestinationVariable("room") String roomName) {
        RoomName room = new RoomName(roomName);
        return new RoomUsers(room, this.presence.users(room));
    }

    private static String sessionId(Message<?> frame) {
        return SimpMessageHeaderAccessor.getSessionId(frame.getHeaders());
    }

    /** The online list of a room: {@code {"room":"general","users":["alice","bob"]}}. */
    record RoomUsers(RoomName room, List<String> users) {
    }
}
