package dev.parley.message;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.config.ChatProperties;
import dev.parley.identity.Nickname;
import dev.parley.identity.NicknameRateLimiter;
import dev.parley.room.RoomBroadcaster;
import dev.parley.room.RoomName;
import dev.parley.web.ChatException;
import dev.parley.web.ErrorCode;

import org.springframework.scheduling.annotation.Scheduled;
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

    private final RoomBroadcaster broadcaster;

    private final NicknameRateLimiter rateLimiter;

    private final Clock clock;

    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];

    MessageService(MessageHistory history, RoomBroadcaster broadcaster, ChatProperties properties, Clock clock) {
        this.history = history;
        this.broadcaster = broadcaster;
        this.rateLimiter = new NicknameRateLimiter(properties.rateLimit().burst(), properties.rateLimit().perSecond());
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
        if (!this.rateLimiter.tryAcquire(sender)) {
            throw new ChatException(ErrorCode.RATE_LIMITED, "too many messages: wait a moment before sending more");
        }
        ReentrantLock lock = this.locks[Math.floorMod(room.hashCode(), LOCK_STRIPES)];
        lock.lock();
        try {
            Instant now = this.clock.instant().truncatedTo(ChronoUnit.MILLIS);
            this.history.append(room, sender, text, clientId, now)
                    .ifPresent(message -> this.broadcaster.publish(room, message));
        }
        finally {
            lock.unlock();
        }
    }

    @Scheduled(fixedDelay = 60_000)
    void forgetIdleSenders() {
        this.rateLimiter.forgetIdle();
    }
}
