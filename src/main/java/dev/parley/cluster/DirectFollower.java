package dev.parley.cluster;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.parley.core.Conversation;
import dev.parley.core.Destinations;
import dev.parley.core.Nickname;
import dev.parley.direct.ConversationSummary;
import dev.parley.direct.DirectHistory;

import org.springframework.context.event.EventListener;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.user.SimpUserRegistry;
import org.springframework.web.socket.messaging.SessionSubscribeEvent;

/**
 * Which private conversations this instance follows ({@link Sequencer}): those of the nicknames
 * with a connection here subscribed to {@code /user/queue/direct}, from that subscription until
 * none of theirs is. A nickname's conversations are read at its first subscription here, each
 * followed after its last stored id then (what came before, the client reads from the history,
 * as for a room); a conversation that starts later is followed from its first message. At most
 * {@value #SNAPSHOT} conversations are read per nickname, its latest: one with more, whose older
 * conversation wakes up, has that conversation followed from the first message this instance
 * sees (a message of it lost by Redis just before is a gap its client fills from the history).
 * <p>
 * Every catch-up interval the store is asked which conversations of those nicknames have had a
 * message lately, and what Redis did not bring is read from it: after a Redis outage, say, also
 * of conversations that began meanwhile. Nicknames nobody here subscribes for any more are let go
 * by {@link #forgetUnsubscribed()}, and with them the conversations of nobody here, so that what
 * an instance holds follows its clients' connections.
 */
final class DirectFollower {

    private static final Logger logger = LoggerFactory.getLogger(DirectFollower.class);

    /** Most conversations of one nickname followed from its subscription; the latest ones. */
    static final int SNAPSHOT = 1000;

    /** A nickname subscribed this recently is kept: its subscription may not be registered yet. */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /**
     * How far before the previous catch-up the next looks for conversations with new messages: a
     * message's time is taken when it is sent, before it is stored, on the clock of the instance
     * that stored it.
     */
    private static final long LOOK_BACK_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private final Sequencer<Conversation> sequencer;

    private final DirectHistory history;

    private final SimpUserRegistry subscriptions;

    private final ScheduledExecutorService retries;

    /** The nicknames followed here: when last subscribed, and whether all their conversations were read. */
    private final Map<Nickname, Party> parties = new ConcurrentHashMap<>();

    /** Nicknames whose follow waits for the store, each retried by one task. */
    private final Set<Nickname> waiting = ConcurrentHashMap.newKeySet();

    private volatile long lastCatchUpMillis = System.currentTimeMillis();

    private record Party(long subscribedAt, boolean complete) {
    }

    DirectFollower(Sequencer<Conversation> sequencer, DirectHistory history, SimpUserRegistry subscriptions,
            ScheduledExecutorService retries) {
        this.sequencer = sequencer;
        this.history = history;
        this.subscriptions = subscriptions;
        this.retries = retries;
    }

    @EventListener
    void subscribed(SessionSubscribeEvent event) {
        String destination = SimpMessageHeaderAccessor.getDestination(event.getMessage().getHeaders());
        if (!Destinations.USER_DIRECT.equals(destination) || event.getUser() == null) {
            return;
        }
        Nickname nickname = new Nickname(event.getUser().getName());
        Party party = this.parties.get(nickname);
        if (party != null) {
            this.parties.put(nickname, new Party(System.nanoTime(), party.complete()));
        }
        else if (!this.waiting.contains(nickname)) {
            follow(nickname);
        }
    }

    private void follow(Nickname nickname) {
        if (this.parties.containsKey(nickname)) {
            this.waiting.remove(nickname);
            return;
        }
        try {
            List<ConversationSummary> latest = this.history.conversations(nickname, SNAPSHOT + 1);
            latest.stream().limit(SNAPSHOT).forEach(c -> this.sequencer.follow(c.conversation(), c.lastId()));
            this.parties.put(nickname, new Party(System.nanoTime(), latest.size() <= SNAPSHOT));
            this.waiting.remove(nickname);
            logger.debug("Following the conversations of '{}' ({} of them)", nickname, latest.size());
        }
        catch (RuntimeException ex) {
            if (this.waiting.add(nickname)) {
                logger.warn("Cannot follow the conversations of '{}' until the store is back: {}", nickname,
                        ex.toString());
            }
            this.retries.schedule(() -> follow(nickname), 1, TimeUnit.SECONDS);
        }
    }

    /** Takes message {@code id} of {@code conversation}, from this instance or another. */
    void offer(Conversation conversation, long id, byte[] json) {
        if (!this.sequencer.follows(conversation)) {
            @Nullable Boolean complete = completeness(conversation);
            if (complete == null) {
                return; // neither party subscribes here
            }
            // not among the conversations read at the subscription: one that began since then
            this.sequencer.follow(conversation, complete ? 0 : id - 1);
        }
        this.sequencer.offer(conversation, id, json);
    }

    /**
     * Whether every conversation of a party followed here was read at its subscription, so that
     * one not followed is new; {@code null} when neither party is followed here.
     */
    private @Nullable Boolean completeness(Conversation conversation) {
        Party low = this.parties.get(conversation.low());
        Party high = this.parties.get(conversation.high());
        if (low == null && high == null) {
            return null;
        }
        return (low != null && low.complete()) || (high != null && high.complete());
    }

    /**
     * Delivers what the store has beyond what was delivered, in the conversations of the
     * nicknames followed here that had a message since shortly before the previous catch-up.
     */
    void catchUp() {
        if (this.parties.isEmpty()) {
            return;
        }
        long started = System.currentTimeMillis();
        List<DirectHistory.Latest> active = this.history.activeSince(List.copyOf(this.parties.keySet()),
                this.lastCatchUpMillis - LOOK_BACK_MILLIS);
        for (DirectHistory.Latest latest : active) {
            if (!this.sequencer.follows(latest.conversation())) {
                @Nullable Boolean complete = completeness(latest.conversation());
                if (complete != null) {
                    this.sequencer.follow(latest.conversation(), complete ? 0 : latest.lastId());
                }
            }
        }
        Map<Conversation, Long> stored = active.stream()
            .collect(Collectors.toMap(DirectHistory.Latest::conversation, DirectHistory.Latest::lastId, Math::max));
        this.sequencer.catchUp(followed -> stored);
        this.lastCatchUpMillis = started;
    }

    /** Stops following the nicknames that no connection here subscribes for, and their conversations. */
    void forgetUnsubscribed() {
        long now = System.nanoTime();
        Set<Nickname> subscribed = new HashSet<>();
        this.subscriptions.findSubscriptions(subscription -> Destinations.USER_DIRECT.equals(subscription.getDestination()))
            .forEach(subscription -> subscribed.add(new Nickname(subscription.getSession().getUser().getName())));
        this.parties.entrySet().removeIf(entry -> !subscribed.contains(entry.getKey())
                && now - entry.getValue().subscribedAt() > GRACE_NANOS);
        for (Conversation conversation : this.sequencer.followed()) {
            if (!this.parties.containsKey(conversation.low()) && !this.parties.containsKey(conversation.high())) {
                this.sequencer.unfollow(conversation);
            }
        }
    }

    /** Whether {@code nickname}'s conversations are followed here (for tests). */
    boolean follows(Nickname nickname) {
        return this.parties.containsKey(nickname);
    }
}
