package dev.parley.cluster;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts each sequence's messages (a room's, a private conversation's), as they come from this
 * instance and from the others, back into id order before they reach this instance's
 * subscribers: the next id is delivered at once, a later
 * one is held until its predecessors arrive, and when they have not within the reorder bound
 * they are read from the store. Ids at or below the last delivered are dropped, so a message
 * that arrives twice (from Redis and from the store) is delivered once.
 * <p>
 * A room is followed from the moment a subscriber on this instance first subscribes to it
 * ({@link #follow}), starting after the room's last stored id at that moment: what was stored
 * before, the subscriber reads from the history, as every client does after subscribing. Until
 * that id is read ({@link #await}: the store may be slow or away), the room's messages are held,
 * and the follow starts before the first of them: a message sent after the subscription reaches
 * the subscriber however late the store answers. Events of rooms nobody here follows are dropped
 * unread.
 */
final class Sequencer<K> {

    private static final Logger logger = LoggerFactory.getLogger(Sequencer.class);

    /** Most messages read from the store for one gap at a time. */
    static final int FILL_PAGE = 200;

    /** Most messages held for a room whose start is not known yet: the lowest ids are kept. */
    static final int AWAIT_HELD = FILL_PAGE;

    /** Delivers a message's JSON to this instance's subscribers of a room. */
    @FunctionalInterface
    interface Delivery<K> {

        void deliver(K room, byte[] json);
    }

    /** Reads stored messages of a room after an id, oldest first, as JSON with their ids. */
    @FunctionalInterface
    interface Store<K> {

        List<Stored> after(K room, long id, int limit);
    }

    /** A stored message: its id and its JSON, as it is broadcast. */
    record Stored(long id, byte[] json) {
    }

    private final Map<K, Room> rooms = new ConcurrentHashMap<>();

    private final Delivery<K> delivery;

    private final Store<K> store;

    private final ScheduledExecutorService timer;

    private final long boundNanos;

    Sequencer(Delivery<K> delivery, Store<K> store, ScheduledExecutorService timer, Duration bound) {
        this.delivery = delivery;
        this.store = store;
        this.timer = timer;
        this.boundNanos = bound.toNanos();
    }

    /**
     * Holds {@code room}'s messages from now on, before its last stored id is read: the
     * {@link #follow} that comes with that id starts before the first of them. Nothing of the
     * room is delivered until then, and it does not count as {@link #follows followed}.
     */
    void await(K room) {
        this.rooms.computeIfAbsent(room, name -> new Room(room, UNKNOWN));
    }

    /**
     * Starts following {@code room} if this instance does not yet, after {@code lastStored}, the
     * room's last stored id read just now, or before the first message held since
     * {@link #await}, if that is lower: it was sent after the subscription.
     */
    void follow(K room, long lastStored) {
        this.rooms.computeIfAbsent(room, name -> new Room(room, lastStored)).start(lastStored);
    }

    /** Stops following {@code room}: what is held or being read for it is dropped. */
    void unfollow(K room) {
        Room state = this.rooms.remove(room);
        if (state != null) {
            state.close();
        }
    }

    /** The rooms this instance follows (not those it {@link #await awaits}). */
    List<K> followed() {
        return this.rooms.values().stream().filter(Room::started).map(room -> room.name).toList();
    }

    boolean follows(K room) {
        Room state = this.rooms.get(room);
        return state != null && state.started();
    }

    /** Takes message {@code id} of {@code room}, from this instance or another. */
    void offer(K room, long id, byte[] json) {
        Room state = this.rooms.get(room);
        if (state != null) {
            state.offer(id, json);
        }
    }

    /**
     * Reads every followed room's messages after the last one delivered from the store: after
     * Redis was lost, the others' messages of that time came by no other way.
     */
    void catchUpAll() {
        for (Room room : this.rooms.values()) {
            room.fill(Long.MAX_VALUE);
        }
    }

    /**
     * Delivers what the store has beyond each followed room's last delivered message: the
     * safety net for whatever Redis did not bring (an outage, a subscription not yet made).
     *
     * @param latest the last stored id of each of the given rooms that has messages
     */
    void catchUp(Function<Collection<K>, Map<K, Long>> latest) {
        List<K> followed = followed();
        if (followed.isEmpty()) {
            return;
        }
        Map<K, Long> stored = latest.apply(followed);
        for (Room room : this.rooms.values()) {
            Long last = stored.get(room.name);
            if (last != null && last > room.lastDelivered()) {
                room.fill(last);
            }
        }
    }

    /** The last id delivered in {@code room}, or -1 if it is not followed (for tests). */
    long lastDelivered(K room) {
        Room state = this.rooms.get(room);
        return (state != null && state.started()) ? state.lastDelivered() : -1;
    }

    /** The last delivered id of a room awaited, not followed yet. */
    private static final long UNKNOWN = Long.MIN_VALUE;

    private final class Room {

        private final K name;

        private long last;

        /** Later messages waiting for their predecessors, by id. */
        private final TreeMap<Long, byte[]> held = new TreeMap<>();

        private @Nullable ScheduledFuture<?> fill;

        /** Unfollowed: a fill still running delivers nothing more. */
        private boolean closed;

        Room(K name, long last) {
            this.name = name;
            this.last = last;
        }

        synchronized boolean started() {
            return this.last != UNKNOWN;
        }

        /** Awaited until now: start after {@code lastStored} or before the first message held. */
        synchronized void start(long lastStored) {
            if (this.last != UNKNOWN) {
                return;
            }
            this.last = this.held.isEmpty() ? lastStored : Math.min(lastStored, this.held.firstKey() - 1);
            this.held.headMap(this.last, true).clear();
            deliverHeld();
            if (this.last < lastStored) {
                // stored up to the id read but not held (more than are held, or not come by Redis)
                Sequencer.this.timer.execute(() -> fill(lastStored));
            }
            else if (!this.held.isEmpty()) {
                fillLater();
            }
        }

        synchronized void close() {
            this.closed = true;
            this.held.clear();
            if (this.fill != null) {
                this.fill.cancel(false);
            }
        }

        synchronized long lastDelivered() {
            return this.last;
        }

        synchronized void offer(long id, byte[] json) {
            if (this.last == UNKNOWN) {
                hold(id, json);
                return;
            }
            if (id <= this.last || this.held.containsKey(id)) {
                return;
            }
            if (id != this.last + 1) {
                this.held.put(id, json);
                fillLater();
                return;
            }
            deliver(id, json);
            deliverHeld();
        }

        /** Awaited: the lowest ids are kept, a higher one dropped is read from the store when started. */
        private void hold(long id, byte[] json) {
            if (this.held.containsKey(id)) {
                return;
            }
            if (this.held.size() >= AWAIT_HELD) {
                if (id > this.held.lastKey()) {
                    return;
                }
                this.held.pollLastEntry();
            }
            this.held.put(id, json);
        }

        /** The reorder bound passed with messages held: read the missing ones from the store. */
        private void fillGap() {
            long upTo;
            synchronized (this) {
                this.fill = null;
                if (this.held.isEmpty()) {
                    return;
                }
                upTo = this.held.firstKey() - 1;
            }
            fill(upTo);
        }

        /** Delivers the stored messages after the last delivered, up to {@code upTo}. */
        void fill(long upTo) {
            while (true) {
                long from = lastDelivered();
                if (from == UNKNOWN || from >= upTo) {
                    break;
                }
                List<Stored> stored;
                try {
                    stored = Sequencer.this.store.after(this.name, from, FILL_PAGE);
                }
                catch (RuntimeException ex) {
                    logger.warn("Could not read room '{}' after id {} from the store; trying again", this.name, from,
                            ex);
                    fillLater();
                    return;
                }
                synchronized (this) {
                    for (Stored message : stored) {
                        if (message.id() == this.last + 1 && message.id() <= upTo) {
                            deliver(message.id(), message.json());
                        }
                    }
                    this.held.headMap(this.last, true).clear();
                    deliverHeld();
                    if (!this.held.isEmpty()) {
                        fillLater();
                    }
                }
                if (stored.size() < FILL_PAGE || lastDelivered() == from) {
                    break;
                }
            }
        }

        /** Reads what is missing from the store once the reorder bound has passed, unless that is already due. */
        private synchronized void fillLater() {
            if (this.fill == null) {
                this.fill = Sequencer.this.timer.schedule(this::fillGap, Sequencer.this.boundNanos,
                        TimeUnit.NANOSECONDS);
            }
        }

        private void deliverHeld() {
            while (!this.held.isEmpty() && this.held.firstKey() == this.last + 1) {
                Map.Entry<Long, byte[]> next = this.held.pollFirstEntry();
                deliver(next.getKey(), next.getValue());
            }
        }

        private void deliver(long id, byte[] json) {
            if (this.closed) {
                return;
            }
            this.last = id;
            try {
                Sequencer.this.delivery.deliver(this.name, json);
            }
            catch (RuntimeException ex) {
                logger.warn("Could not deliver message {} of room '{}' on this instance", id, this.name, ex);
            }
        }
    }
}
