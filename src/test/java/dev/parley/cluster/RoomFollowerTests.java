package dev.parley.cluster;

import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.parley.core.RoomName;

import org.springframework.messaging.Message;
import org.springframework.messaging.simp.stomp.StompCommand;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.web.socket.messaging.DefaultSimpUserRegistry;
import org.springframework.web.socket.messaging.SessionConnectedEvent;
import org.springframework.web.socket.messaging.SessionSubscribeEvent;
import org.springframework.web.socket.messaging.SessionUnsubscribeEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An instance follows a room while a connection of its own subscribes to it, from the room's
 * last stored id, and lets it go when none does, so that what it holds per room follows its
 * clients' subscriptions rather than every room they ever opened.
 */
class RoomFollowerTests {

    private static final RoomName LOBBY = new RoomName("lobby");

    private static final Principal ANN = () -> "ann";

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    private final List<String> delivered = new CopyOnWriteArrayList<>();

    private final Sequencer<RoomName> sequencer = new Sequencer<>((room, json) -> this.delivered.add(new String(json)),
            (room, id, limit) -> List.of(), this.timer, Duration.ofMillis(50));

    /** Spring's own registry of who subscribes to what, fed the events a connection makes. */
    private final DefaultSimpUserRegistry subscriptions = new DefaultSimpUserRegistry();

    private final AtomicBoolean storeAway = new AtomicBoolean();

    private final AtomicLong lastStored = new AtomicLong(41);

    private final RoomFollower follower = new RoomFollower(this.sequencer, new PresenceView(), room -> {
        if (this.storeAway.get()) {
            throw new IllegalStateException("the store is away");
        }
        return this.lastStored.get();
    }, room -> Set.of(), this.subscriptions, this.timer);

    @AfterEach
    void stopTimer() {
        this.timer.shutdownNow();
    }

    @Test
    void aSubscriptionFollowsTheRoomFromItsLastStoredId() {
        subscribe("s1", "sub-1", LOBBY);
        assertThat(this.sequencer.lastDelivered(LOBBY)).isEqualTo(41);
        this.sequencer.offer(LOBBY, 42, "m42".getBytes());
        subscribe("s2", "sub-1", LOBBY);
        assertThat(this.sequencer.lastDelivered(LOBBY)).as("followed once, not again from the store").isEqualTo(42);
    }

    @Test
    void aRoomNobodyHereSubscribesToAnyMoreIsLetGo() throws Exception {
        subscribe("s1", "sub-1", LOBBY);
        this.follower.forgetUnsubscribed();
        assertThat(this.sequencer.follows(LOBBY)).as("still subscribed").isTrue();
        unsubscribe("s1", "sub-1");
        this.follower.forgetUnsubscribed();
        assertThat(this.sequencer.follows(LOBBY)).as("just subscribed: kept for a while").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            this.follower.forgetUnsubscribed();
            return !this.sequencer.follows(LOBBY);
        });
        subscribe("s2", "sub-1", LOBBY);
        assertThat(this.sequencer.follows(LOBBY)).as("followed again by a new subscription").isTrue();
    }

    @Test
    void aFollowWhileTheStoreIsAwayIsRetriedUntilItWorks() {
        this.storeAway.set(true);
        subscribe("s1", "sub-1", LOBBY);
        assertThat(this.sequencer.follows(LOBBY)).isFalse();
        this.storeAway.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> this.sequencer.follows(LOBBY));
        assertThat(this.sequencer.lastDelivered(LOBBY)).isEqualTo(41);
    }

    @Test
    void whatAnotherInstanceStoresWhileTheFollowWaitsForTheStoreIsDelivered() {
        this.storeAway.set(true);
        subscribe("s1", "sub-1", LOBBY);
        // the store is back for the instance that stores 42 before it is for this one
        this.lastStored.set(42);
        this.sequencer.offer(LOBBY, 42, "m42".getBytes());
        this.storeAway.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> this.sequencer.follows(LOBBY));
        assertThat(this.delivered).as("sent after the subscription: delivered, not skipped").containsExactly("m42");
    }

    private void subscribe(String session, String subscription, RoomName room) {
        this.subscriptions.onApplicationEvent(new SessionConnectedEvent(this, message(StompCommand.CONNECTED, session,
                null, null), ANN));
        SessionSubscribeEvent event = new SessionSubscribeEvent(this,
                message(StompCommand.SUBSCRIBE, session, room.topic(), subscription), ANN);
        this.subscriptions.onApplicationEvent(event);
        this.follower.subscribed(event);
    }

    private void unsubscribe(String session, String subscription) {
        this.subscriptions.onApplicationEvent(new SessionUnsubscribeEvent(this,
                message(StompCommand.UNSUBSCRIBE, session, null, subscription), ANN));
    }

    private static Message<byte[]> message(StompCommand command, String session, String destination,
            String subscription) {
        StompHeaderAccessor headers = StompHeaderAccessor.create(command);
        headers.setSessionId(session);
        headers.setUser(ANN);
        if (destination != null) {
            headers.setDestination(destination);
        }
        if (subscription != null) {
            headers.setSubscriptionId(subscription);
        }
        return MessageBuilder.createMessage(new byte[0], headers.getMessageHeaders());
    }
}
