package dev.parley.direct;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.JsonNode;

import dev.parley.bus.DirectBus;
import dev.parley.config.ChatProperties;
import dev.parley.core.ChatException;
import dev.parley.core.ChatUser;
import dev.parley.core.Conversation;
import dev.parley.core.ErrorCode;
import dev.parley.core.Nickname;
import dev.parley.direct.DirectHistory.Draft;
import dev.parley.message.ClientId;
import dev.parley.message.GroupCommitter;
import dev.parley.message.GroupCommitter.Post;
import dev.parley.message.MessageText;
import dev.parley.ratelimit.RateLimits;
import dev.parley.web.JsonBody;

import org.springframework.messaging.Message;
import org.springframework.messaging.handler.annotation.DestinationVariable;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.stereotype.Controller;

/**
 * {@code /app/direct.{nickname}.send} and {@code .typing}: the checks of a room's message in the
 * same order (contract section 6), the recipient's claim standing where a room's join does:
 * {@code BAD_REQUEST} for the destination (an invalid nickname, or the principal's own), then for
 * the body, {@code UNKNOWN_USER}, {@code INVALID_MESSAGE}, {@code RATE_LIMITED}, and only then a
 * repeated {@code clientId} is recognised (by the store). The sender is always the principal
 * bound at CONNECT.
 */
@Controller
class DirectController {

    private final Recipients recipients;

    private final GroupCommitter committer;

    private final DirectJournal journal;

    private final DirectBus bus;

    private final RateLimits rateLimits;

    private final Clock clock;

    private final int maxLength;

    /** Shared with the rooms' (one limit per nickname, one count). */
    private final Counter sendRefusals;

    private final Counter typingRefusals;

    DirectController(Recipients recipients, GroupCommitter committer, DirectJournal journal, DirectBus bus,
            RateLimits rateLimits, Clock clock, ChatProperties properties, MeterRegistry meters) {
        this.recipients = recipients;
        this.committer = committer;
        this.journal = journal;
        this.bus = bus;
        this.rateLimits = rateLimits;
        this.clock = clock;
        this.maxLength = properties.message().maxLength();
        this.sendRefusals = RateLimits.refusals(meters, "send");
        this.typingRefusals = RateLimits.refusals(meters, "typing");
    }

    @MessageMapping("direct.{nickname}.send")
    void send(@DestinationVariable("nickname") String nickname, Message<byte[]> frame) {
        ChatUser user = ChatUser.of(frame);
        Nickname named = this.recipients.named(nickname, user);
        JsonNode body = JsonBody.object(frame.getPayload());
        Nickname to = this.recipients.claimed(named);
        MessageText messageText = MessageText.fromBody(body, this.maxLength);
        ClientId id = ClientId.fromBody(body);
        if (!this.rateLimits.trySend(user.nickname())) {
            this.sendRefusals.increment();
            throw new ChatException(ErrorCode.RATE_LIMITED, "too many messages: wait a moment before sending more");
        }
        Instant now = this.clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Draft draft = new Draft(user.nickname(), to, messageText, id, now);
        this.committer.submit(new Post<>(this.journal, draft, user.getName(),
                SimpMessageHeaderAccessor.getSessionId(frame.getHeaders()),
                SimpMessageHeaderAccessor.getDestination(frame.getHeaders()), (id != null) ? id.value() : null));
    }

    @MessageMapping("direct.{nickname}.typing")
    void typing(@DestinationVariable("nickname") String nickname, Message<byte[]> frame) {
        ChatUser user = ChatUser.of(frame);
        Nickname named = this.recipients.named(nickname, user);
        JsonNode typing = JsonBody.object(frame.getPayload()).get("typing");
        if (typing == null || !typing.isBoolean()) {
            throw new ChatException(ErrorCode.BAD_REQUEST, "typing must be true or false");
        }
        Nickname to = this.recipients.claimed(named);
        // the excess is dropped silently, with the rooms' typing: one limit per nickname
        if (this.rateLimits.tryType(user.nickname())) {
            this.bus.tell(Conversation.between(user.nickname(), to), to,
                    new DirectTyping(user.nickname(), to, typing.booleanValue(), this.clock.instant()));
        }
        else {
            this.typingRefusals.increment();
        }
    }
}
