package dev.parley.message;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

import javax.sql.DataSource;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.parley.config.ChatProperties;
import dev.parley.core.RoomName;
import dev.parley.core.StoreWrites;

import org.springframework.stereotype.Component;

/**
 * The latest messages of the rooms in use, kept in memory so that a catch-up ({@code ?after=})
 * reads no store: after a reconnect storm every client of a room asks for the same few messages.
 * <p>
 * A room's kept messages are a run of consecutive ids that ends at the latest message this
 * instance has published: each stored message joins its room's run as the group commit publishes
 * it (in id order, before its broadcast), and a read from the store that reached the room's end
 * adds the older ones. A catch-up is answered from memory only when the run holds every id after
 * the one asked for; otherwise it reads the store. Ids have no gaps, so whether two runs join is
 * arithmetic.
 * <p>
 * Caveat: a message stored but not yet published is not in memory, so a catch-up may be answered
 * without it, as a read of the store that ran just before its commit would be; its broadcast,
 * which a client subscribes to before it catches up, follows.
 * <p>
 * Only where this instance appends every message of its rooms (the embedded store, which serves
 * one process): in a cluster the other instances append to the same rooms. Bounded by {@code chat.history.recent-memory}:
 * past it Caffeine drops the rooms least likely to be asked for again; {@code 0} turns the memory off.
 */
@Component
class RecentMessages {

    private static final Logger logger = LoggerFactory.getLogger(RecentMessages.class);

    /** Messages kept per room: a default page (50) and some. */
    static final int PER_ROOM = 64;

    // Publishes counted by a hash of their room, so that a read from the store can tell whether a
    // message of its room was published while it ran (and its run dropped meanwhile): then what it
    // read may not end at the room's latest message, and is not kept.
    private static final int STRIPES = 256;

    private final MessageHistory history;

    private final @Nullable Cache<RoomName, Run> runs;

    private final AtomicLongArray published = new AtomicLongArray(STRIPES);

    private final Counter answeredFromMemory;

    RecentMessages(MessageHistory history, ChatProperties properties, DataSource dataSource, MeterRegistry meters) {
        this.history = history;
        long budget = properties.history().recentMemory().toBytes();
        this.runs = (budget > 0 && !StoreWrites.isShared(dataSource)) ? Caffeine.newBuilder()
            .maximumWeight(budget)
            .weigher((RoomName room, Run run) -> run.bytes())
            .executor(Runnable::run)
            .build() : null;
        this.answeredFromMemory = Counter.builder("parley.catchup.memory")
            .description("Catch-up pages answered from the rooms' latest messages in memory, without reading the store")
            .register(meters);
    }

    /** Whether messages are kept: off in a cluster, or when {@code chat.history.recent-memory} is 0. */
    boolean isOn() {
        return this.runs != null;
    }

    /**
     * The first {@code limit} messages of {@code room} after {@code id}, oldest first, as
     * {@link MessageHistory#after} gives them.
     */
    List<ChatMessage> after(RoomName room, long id, int limit) {
        if (this.runs == null) {
            return this.history.after(room, id, limit);
        }
        Run run = this.runs.getIfPresent(room);
        if (run != null && run.holdsAllAfter(id)) {
            this.answeredFromMemory.increment();
            return run.after(id, limit);
        }
        int stripe = stripe(room);
        long publishedBefore = this.published.get(stripe);
        List<ChatMessage> read = this.history.after(room, id, limit);
        if (!read.isEmpty() && read.size() < limit && Run.isConsecutive(read)) {
            this.runs.asMap().compute(room, (name, kept) -> (kept != null) ? kept.joinedAfter(read)
                    : (this.published.get(stripe) == publishedBefore) ? Run.of(read) : null);
        }
        return read;
    }

    /**
     * Keeps {@code message}, stored and about to be broadcast. Called for each room's messages in
     * id order, by one thread at a time (the group commit's).
     */
    void published(ChatMessage message) {
        if (this.runs == null) {
            return;
        }
        this.published.incrementAndGet(stripe(message.room()));
        try {
            this.runs.asMap().compute(message.room(), (name, kept) -> (kept != null) ? kept.with(message)
                    : Run.of(List.of(message)));
        }
        catch (RuntimeException ex) {
            // a run without this message would answer catch-ups without it: none is better
            this.runs.invalidate(message.room());
            logger.warn("Message {} of room '{}' was not kept in memory; catch-ups of the room read the store",
                    message.id(), message.room(), ex);
        }
    }

    /** The estimated heap the kept messages hold, for tests. */
    long keptBytes() {
        return (this.runs == null) ? 0 : this.runs.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    private static int stripe(RoomName room) {
        return room.hashCode() & (STRIPES - 1);
    }

    /** Messages of one room with consecutive ids, oldest first; never empty, never changed. */
    record Run(ChatMessage[] messages) {

        static Run of(List<ChatMessage> consecutive) {
            return new Run(newest(consecutive.toArray(ChatMessage[]::new)));
        }

        static boolean isConsecutive(List<ChatMessage> messages) {
            for (int i = 1; i < messages.size(); i++) {
                if (messages.get(i).id() != messages.get(i - 1).id() + 1) {
                    return false;
                }
            }
            return true;
        }

        long first() {
            return this.messages[0].id();
        }

        long last() {
            return this.messages[this.messages.length - 1].id();
        }

        boolean holdsAllAfter(long id) {
            return id >= first() - 1;
        }

        List<ChatMessage> after(long id, int limit) {
            int from = (int) Math.min(this.messages.length, Math.max(0, id - first() + 1));
            return List.of(Arrays.copyOfRange(this.messages, from, Math.min(this.messages.length, from + limit)));
        }

        /** This run with {@code message} after it; a run of it alone where it does not follow. */
        Run with(ChatMessage message) {
            if (message.id() <= last()) {
                return this;
            }
            if (message.id() != last() + 1) {
                return new Run(new ChatMessage[] { message });
            }
            ChatMessage[] longer = Arrays.copyOf(this.messages, this.messages.length + 1);
            longer[this.messages.length] = message;
            return new Run(newest(longer));
        }

        /** This run with the older of {@code read} (consecutive) before it, where they join. */
        Run joinedAfter(List<ChatMessage> read) {
            long readFirst = read.get(0).id();
            long readLast = read.get(read.size() - 1).id();
            if (readLast < first() - 1 || readFirst >= first()) {
                return this;
            }
            ChatMessage[] older = read.subList(0, (int) (first() - readFirst)).toArray(ChatMessage[]::new);
            ChatMessage[] joined = Arrays.copyOf(older, older.length + this.messages.length);
            System.arraycopy(this.messages, 0, joined, older.length, this.messages.length);
            return new Run(newest(joined));
        }

        /**
         * The heap this run holds, erring high: the cache's entry and the array, then per message
         * its objects (the record, its time, room, nickname and strings' headers: about 300 bytes)
         * and two bytes per character (one where a string is Latin-1).
         */
        int bytes() {
            int bytes = 128 + 4 * this.messages.length;
            for (ChatMessage message : this.messages) {
                bytes += 320 + 2 * (message.text().length() + message.sender().value().length()
                        + ((message.clientId() != null) ? message.clientId().length() : 0));
            }
            return bytes;
        }

        private static ChatMessage[] newest(ChatMessage[] messages) {
            return (messages.length <= PER_ROOM) ? messages
                    : Arrays.copyOfRange(messages, messages.length - PER_ROOM, messages.length);
        }
    }
}
