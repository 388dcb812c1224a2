package dev.parley.cluster;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.parley.core.Destinations;
import dev.parley.core.Nickname;
import dev.parley.core.RoomName;

import org.springframework.context.event.EventListener;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.user.SimpSubscription;
import org.springframework.messaging.simp.user.SimpUserRegistry;
import org.springframework.web.socket.messaging.SessionSubscribeEvent;

/**
 * Which rooms this instance follows ({@link Sequencer}, {@link PresenceView}): a room from
 * the moment a connection of this instance subscribes to its topic, until none does. The
 * subscription is registered with the broker before the event, and the client reads what was
 * stored before from the history. While the store is away the room's last id cannot be read;
 * the follow is tried again every second until it can, and what the room's other instances
 * store meanwhile (the store may be back for them first) is held and delivered then
 * ({@link Sequencer#await}).
 * <p>
 * Rooms nobody here subscribes to any more are let go by {@link #forgetUnsubscribed()}, so that
 * what an instance holds and reads per room follows its clients' subscriptions, not every room
 * they ever opened.
 */
final class RoomFollower {

    private static final Logger logger = LoggerFactory.getLogger(RoomFollower.class);

    /** A room subscribed to this recently is kept: its subscription may not be registered yet. */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Sequencer<RoomName> sequencer;

    private final PresenceView presence;

    private final ToLongFunction<RoomName> lastStoredId;

    /** The nicknames online in a room as Redis has them now; {@code null} when Redis cannot be read. */
    private final Function<RoomName, @Nullable Set<Nickname>> onlineNow;

    private final SimpUserRegistry subscriptions;

    private final ScheduledExecutorService retries;

    /** When each followed room was last subscribed to, in {@link System#nanoTime()}. */
    private final Map<RoomName, Long> subscribedAt = new ConcurrentHashMap<>();

    /** Rooms whose follow waits for the store, each retried by one task. */
    private final Set<RoomName> waiting = ConcurrentHashMap.newKeySet();

    /**
     * @param lastStoredId reads a room's last stored id from the store
     * @param onlineNow reads who is online in a room from Redis, {@code null} when it cannot
     */
    RoomFollower(Sequencer<RoomName> sequencer, PresenceView presence, ToLongFunction<RoomName> lastStoredId,
            Function<RoomName, @Nullable Set<Nickname>> onlineNow, SimpUserRegistry subscriptions,
            ScheduledExecutorService retries) {
        this.onlineNow = onlineNow;
        this.sequencer = sequencer;
        this.presence = presence;
        this.lastStoredId = lastStoredId;
        this.subscriptions = subscriptions;
        this.retries = retries;
    }

    @EventListener
    void subscribed(SessionSubscribeEvent event) {
        RoomName room = room(SimpMessageHeaderAccessor.getDestination(event.getMessage().getHeaders()));
        if (room == null) {
            return;
        }
        this.subscribedAt.put(room, System.nanoTime());
        if (!this.waiting.contains(room)) {
            follow(room);
        }
    }

    private void follow(RoomName room) {
        if (this.sequencer.follows(room)) {
            this.waiting.remove(room);
            return;
        }
        this.sequencer.await(room);
        try {
            long lastStored = this.lastStoredId.applyAsLong(room);
            // before the subscriber joins and reads the list, which the view must start from
            this.presence.begin(room, this.onlineNow.apply(room));
            this.sequencer.follow(room, lastStored);
            this.waiting.remove(room);
            logger.debug("Following room '{}' from id {}", room, this.sequencer.lastDelivered(room));
        }
        catch (RuntimeException ex) {
            if (this.waiting.add(room)) {
                logger.warn("Cannot follow room '{}' until the store is back: {}", room, ex.toString());
            }
            this.retries.schedule(() -> follow(room), 1, TimeUnit.SECONDS);
        }
    }

    /** Stops following the rooms that no connection of this instance subscribes to. */
    void forgetUnsubscribed() {
        long now = System.nanoTime();
        Set<RoomName> subscribed = new HashSet<>();
        this.subscriptions.findSubscriptions(subscription -> true)
            .stream()
            .map(SimpSubscription::getDestination)
            .map(RoomFollower::room)
            .forEach(room -> {
                if (room != null) {
                    subscribed.add(room);
                }
            });
        for (RoomName room : this.sequencer.followed()) {
            Long at = this.subscribedAt.get(room);
            if (!subscribed.contains(room) && (at == null || now - at > GRACE_NANOS)) {
                logger.debug("No connection here subscribes to room '{}' any more: let go", room);
                this.subscribedAt.remove(room);
                this.sequencer.unfollow(room);
                this.presence.forget(room);
            }
        }
    }

    private static @Nullable RoomName room(@Nullable String destination) {
        if (destination == null || !destination.startsWith(Destinations.ROOM_TOPIC_PREFIX)) {
            return null;
        }
        try {
            return new RoomName(destination.substring(Destinations.ROOM_TOPIC_PREFIX.length()));
        }
        catch (RuntimeException ex) {
            return null; // not a room: the destination policy refuses it
        }
    }
}
