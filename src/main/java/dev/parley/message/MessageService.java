package dev.parley.message;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.bus.RoomBus;
import dev.parley.core.ChatException;
import dev.parley.core.ErrorCode;
import dev.parley.core.Nickname;
import dev.parley.core.RoomName;
import dev.parley.ratelimit.RateLimits;

import org.springframework.stereotype.Service;

/**
 * Posting a message: rate limit, de-duplicate, store with the room's next id, broadcast.
 * <p>
 * Storing and broadcasting happen under a lock of the room, so the broker receives a room's
 * messages in id order, and with preserved publish order every subscriber does too. Locks are
 * striped: a fixed number shared by all rooms, so rooms cost no lock memory.
 */
@Service
class MessageService {

    private static final int LOCK_STRIPES = 256;

    private final MessageHistory history;

    private final RoomBus bus;

    private final RateLimits rateLimits;

    private final Clock clock;

    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];

    MessageService(MessageHistory history, RoomBus bus, RateLimits rateLimits, Clock clock) {
        this.history = history;
        this.bus = bus;
        this.rateLimits = rateLimits;
        this.clock = clock;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            this.locks[i] = new ReentrantLock();
        }
    }

    /**
     * Posts a valid message from a sender who has joined the room.
     *
     * @throws ChatException {@code RATE_LIMITED} when the sender is over its rate
     */
    void post(RoomName room, Nickname sender, MessageText text, ClientId clientId) {
        if (!this.rateLimits.trySend(sender)) {
            throw new ChatException(ErrorCode.RATE_LIMITED, "too many messages: wait a moment before sending more");
        }
        ReentrantLock lock = this.locks[Math.floorMod(room.hashCode(), LOCK_STRIPES)];
        lock.lock();
        try {
            Instant now = this.clock.instant().truncatedTo(ChronoUnit.MILLIS);
            this.history.append(room, sender, text, clientId, now)
                    .ifPresent(message -> this.bus.publish(room, message));
        }
        finally {
            lock.unlock();
        }
    }
}
