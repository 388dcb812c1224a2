package dev.parley.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.parley.cluster.Sequencer.Stored;
import dev.parley.core.RoomName;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reorder buffer of the cluster's room bus: what reaches this instance's subscribers is a
 * room's messages in id order without a gap or a repeat, however they arrive.
 */
class SequencerTests {

    private static final RoomName ROOM = new RoomName("lobby");

    private static final Duration BOUND = Duration.ofMillis(50);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    private final List<String> delivered = new CopyOnWriteArrayList<>();

    /** The store: every message ever stored in ROOM, by id. */
    private final Map<Long, String> stored = new ConcurrentHashMap<>();

    private final AtomicInteger storeReads = new AtomicInteger();

    private final Sequencer<RoomName> sequencer = new Sequencer<>((room, json) -> this.delivered.add(text(json)),
            (room, id, limit) -> {
                this.storeReads.incrementAndGet();
                return LongStream.rangeClosed(id + 1, id + limit)
                    .filter(this.stored::containsKey)
                    .mapToObj(next -> new Stored(next, bytes(this.stored.get(next))))
                    .toList();
            }, this.timer, BOUND);

    @AfterEach
    void stopTimer() {
        this.timer.shutdownNow();
    }

    @Test
    void messagesInOrderAreDeliveredAtOnce() {
        this.sequencer.follow(ROOM, 0);
        offer(1, 2, 3);
        assertThat(this.delivered).containsExactly("m1", "m2", "m3");
        assertThat(this.storeReads).hasValue(0);
    }

    @Test
    void aLaterMessageWaitsForItsPredecessor() {
        this.sequencer.follow(ROOM, 0);
        offer(2, 3);
        assertThat(this.delivered).isEmpty();
        offer(1);
        assertThat(this.delivered).containsExactly("m1", "m2", "m3");
    }

    @Test
    void aMessageThatArrivesTwiceIsDeliveredOnce() {
        this.sequencer.follow(ROOM, 0);
        offer(1, 1, 2, 1, 2);
        assertThat(this.delivered).containsExactly("m1", "m2");
    }

    @Test
    void aPredecessorLateBeyondTheBoundIsReadFromTheStore() {
        this.sequencer.follow(ROOM, 0);
        store(1, 2, 3);
        offer(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> this.delivered.size() == 3);
        assertThat(this.delivered).containsExactly("m1", "m2", "m3");
        // arriving after all, it is not delivered again
        offer(1, 2);
        assertThat(this.delivered).containsExactly("m1", "m2", "m3");
    }

    @Test
    void aRoomIsFollowedFromItsLastStoredIdOnwards() {
        this.sequencer.follow(ROOM, 41);
        offer(40, 41, 42);
        assertThat(this.delivered).containsExactly("m42");
    }

    @Test
    void eventsOfARoomNobodyHereFollowsAreDropped() {
        offer(1);
        assertThat(this.delivered).isEmpty();
        assertThat(this.sequencer.lastDelivered(ROOM)).isEqualTo(-1);
    }

    @Test
    void catchingUpReadsEverythingStoredAfterTheLastDelivered() {
        this.sequencer.follow(ROOM, 0);
        offer(1);
        store(2, 3, 4);
        this.sequencer.catchUpAll();
        assertThat(this.delivered).containsExactly("m1", "m2", "m3", "m4");
    }

    @Test
    void theSafetyNetDeliversWhatTheStoreHasBeyondTheLastDelivered() {
        this.sequencer.follow(ROOM, 0);
        offer(1);
        store(1, 2, 3);
        this.sequencer.catchUp(rooms -> Map.of(ROOM, 3L));
        assertThat(this.delivered).containsExactly("m1", "m2", "m3");
        this.sequencer.catchUp(rooms -> Map.of(ROOM, 3L));
        assertThat(this.delivered).containsExactly("m1", "m2", "m3");
    }

    @Test
    void messagesThatArriveWhileTheStartIsReadAreDeliveredFromTheFirstOfThem() {
        this.sequencer.await(ROOM);
        store(41, 42, 43);
        offer(42, 43);
        assertThat(this.delivered).as("awaited: nothing delivered yet").isEmpty();
        assertThat(this.sequencer.follows(ROOM)).isFalse();
        this.sequencer.catchUpAll();
        assertThat(this.storeReads).as("an awaited room is not caught up").hasValue(0);
        // the last stored id, read after they were stored: they came after the subscription all the same
        this.sequencer.follow(ROOM, 43);
        assertThat(this.delivered).containsExactly("m42", "m43");
        assertThat(this.sequencer.follows(ROOM)).isTrue();
    }

    @Test
    void anAwaitedRoomStartsAtItsLastStoredIdWhenNothingArrivedMeanwhile() {
        this.sequencer.await(ROOM);
        this.sequencer.follow(ROOM, 41);
        offer(41, 42);
        assertThat(this.delivered).containsExactly("m42");
    }

    @Test
    void anAwaitedRoomKeepsItsLowestIdsAndReadsTheRestFromTheStore() {
        int count = Sequencer.AWAIT_HELD + 50;
        this.sequencer.await(ROOM);
        for (long id = count; id >= 1; id--) {
            store(id);
            offer(id);
        }
        this.sequencer.follow(ROOM, count);
        await().atMost(Duration.ofSeconds(5)).until(() -> this.delivered.size() == count);
        assertThat(this.delivered).containsExactlyElementsOf(
                LongStream.rangeClosed(1, count).mapToObj(id -> "m" + id).toList());
        assertThat(this.storeReads).as("the 50 not held").hasValue(1);
    }

    private void offer(long... ids) {
        for (long id : ids) {
            this.sequencer.offer(ROOM, id, bytes("m" + id));
        }
    }

    private void store(long... ids) {
        for (long id : ids) {
            this.stored.put(id, "m" + id);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] json) {
        return new String(json, StandardCharsets.UTF_8);
    }
}
