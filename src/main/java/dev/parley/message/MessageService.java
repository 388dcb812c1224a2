package dev.parley.message;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

import dev.parley.core.ChatException;
import dev.parley.core.ChatUser;
import dev.parley.core.ErrorCode;
import dev.parley.core.RoomName;
import dev.parley.message.GroupCommitter.Post;
import dev.parley.message.MessageHistory.Draft;
import dev.parley.ratelimit.RateLimits;

import org.springframework.stereotype.Service;

/**
 * Posting a message: rate limit, then store with the room's next id and broadcast, both done by
 * the {@link GroupCommitter} once the handling of the frame has ended.
 */
@Service
class MessageService {

    private final GroupCommitter committer;

    private final RoomJournal journal;

    private final RateLimits rateLimits;

    private final Clock clock;

    private final Counter refusals;

    MessageService(GroupCommitter committer, RoomJournal journal, RateLimits rateLimits, Clock clock,
            MeterRegistry meters) {
        this.committer = committer;
        this.journal = journal;
        this.rateLimits = rateLimits;
        this.clock = clock;
        this.refusals = RateLimits.refusals(meters, "send");
    }

    /**
     * Posts a valid message from a sender who has joined the room, sent by connection
     * {@code sessionId} to {@code destination}; a failure to store it is reported to that
     * connection.
     *
     * @throws ChatException {@code RATE_LIMITED} when the sender is over its rate,
     * {@code INTERNAL_ERROR} when too many messages wait to be stored
     */
    void post(RoomName room, ChatUser sender, MessageText text, @Nullable ClientId clientId, String sessionId,
            String destination) {
        if (!this.rateLimits.trySend(sender.nickname())) {
            this.refusals.increment();
            throw new ChatException(ErrorCode.RATE_LIMITED, "too many messages: wait a moment before sending more");
        }
        Instant now = this.clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Draft draft = new Draft(room, sender.nickname(), text, clientId, now);
        this.committer.submit(new Post<>(this.journal, draft, sender.getName(), sessionId, destination,
                (clientId != null) ? clientId.value() : null));
    }
}
