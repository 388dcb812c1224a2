package dev.parley.identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.parley.config.ChatProperties;
import dev.parley.core.Nickname;

import org.springframework.context.annotation.Profile;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The {@link NicknameConnections} of one instance, in memory: memory follows the connections that
 * are open. A connection that has ended is remembered for a minute, so that a CONNECT still being
 * handled when its connection closed (a SockJS send racing the session's end) cannot be counted
 * after its release and hold a slot for ever; {@link #forgetEnded()} lets those go.
 */
@Component
@Profile("!cluster")
public class LocalNicknameConnections implements NicknameConnections {

    private static final Duration ENDED_RETENTION = Duration.ofMinutes(1);

    private final int limit;

    private final Clock clock;

    private final Map<String, Nickname> nicknameBySession = new HashMap<>();

    private final Map<Nickname, Integer> counts = new HashMap<>();

    private final Map<String, Instant> ended = new HashMap<>();

    public LocalNicknameConnections(ChatProperties properties, Clock clock) {
        this.limit = properties.limits().connectionsPerNickname();
        this.clock = clock;
    }

    /** A counted connection of this instance. */
    public record Connection(String sessionId, Nickname nickname) {
    }

    @Override
    public synchronized boolean open(String sessionId, Nickname nickname) {
        if (this.ended.containsKey(sessionId)) {
            return false;
        }
        Nickname previous = this.nicknameBySession.get(sessionId);
        if (nickname.equals(previous)) {
            return true;
        }
        if (previous != null) {
            // a second CONNECT on one connection, as someone else: it counts for that one only
            release(sessionId);
        }
        if (count(nickname) >= this.limit) {
            return false;
        }
        this.nicknameBySession.put(sessionId, nickname);
        this.counts.merge(nickname, 1, Integer::sum);
        return true;
    }

    @Override
    public void close(String sessionId) {
        end(sessionId);
    }

    /** Ends the connection; its nickname if it was counted, empty if not (or ended before). */
    public synchronized Optional<Nickname> end(String sessionId) {
        this.ended.putIfAbsent(sessionId, this.clock.instant());
        return Optional.ofNullable(release(sessionId));
    }

    /** The connections of this nickname counted now. */
    public synchronized int count(Nickname nickname) {
        return this.counts.getOrDefault(nickname, 0);
    }

    /** Every connection counted now. */
    public synchronized List<Connection> connections() {
        List<Connection> connections = new ArrayList<>(this.nicknameBySession.size());
        this.nicknameBySession.forEach((sessionId, nickname) -> connections.add(new Connection(sessionId, nickname)));
        return connections;
    }

    /** Whether the connection counts now. */
    public synchronized boolean isOpen(String sessionId) {
        return this.nicknameBySession.containsKey(sessionId);
    }

    /** Forgets the connections that ended more than a minute ago; runs every minute when a bean. */
    @Scheduled(fixedDelay = 60_000)
    public synchronized void forgetEnded() {
        Instant cutoff = this.clock.instant().minus(ENDED_RETENTION);
        this.ended.values().removeIf(at -> at.isBefore(cutoff));
    }

    private Nickname release(String sessionId) {
        Nickname nickname = this.nicknameBySession.remove(sessionId);
        if (nickname != null) {
            this.counts.computeIfPresent(nickname, (key, count) -> (count > 1) ? count - 1 : null);
        }
        return nickname;
    }
}
