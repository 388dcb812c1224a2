package dev.parley.direct;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import dev.parley.core.Conversation;
import dev.parley.core.Nickname;
import dev.parley.core.StoreWrites;
import dev.parley.core.StoredInstants;
import dev.parley.message.ClientId;
import dev.parley.message.MessageText;

import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionOperations;

/**
 * The stored private conversations, each with its gap-free message sequence: the rooms' history
 * ({@code MessageHistory}) for pairs of nicknames, stored the same way. The primary key
 * {@code (low_key, high_key, id)} makes an id unique, so a failed transaction leaves no gap;
 * this instance remembers each conversation's last id, and when another instance took the next
 * one the insert does nothing and the append reads the last id again. The conversation's row
 * carries its last id and time, for the list of a nickname's conversations and the cluster's
 * catch-up, written in the message's transaction.
 * <p>
 * On PostgreSQL a group first locks its conversations' rows, in one statement in key order, as
 * the rooms' history locks its rooms: appends to a conversation from several instances queue,
 * and the last id read with the lock is the last there is, so none clashes. Without the lock an
 * instance whose id was taken read the last id again while the other took the next one.
 */
@Component
public class DirectHistory {

    private static final String COLUMNS = "low_key, high_key, id, sender_key, body, sent_at, client_id";

    private static final String KEY = "low_key = :low and high_key = :high";

    // reads order by every column of the primary key, so the database walks its index in order
    private static final String LAST_ID = "select id from direct_message where " + KEY
            + " order by low_key desc, high_key desc, id desc limit 1";

    private static final String BEFORE = "select " + COLUMNS + " from direct_message where " + KEY
            + " and id < :id order by low_key desc, high_key desc, id desc limit :limit";

    private static final String AFTER = "select " + COLUMNS + " from direct_message where " + KEY
            + " and id > :id order by low_key, high_key, id limit :limit";

    private static final String INSERT = "insert into direct_message (" + COLUMNS
            + ") values (:low, :high, :id, :sender, :body, :at, :clientId) on conflict do nothing";

    // as MessageHistory.LOCK_ROOMS: queues appends, leaves the foreign keys' key-share lock
    // free, and locks in one order everywhere; a group holds at most a few hundred pairs
    private static final String LOCK = "select low_key, high_key, last_id from conversation"
            + " where (low_key, high_key) in (:pairs) order by low_key collate \"C\", high_key collate \"C\" for no key update";

    private static final String SUMMARY = "low_key, low_name, high_name, last_id, last_at_ms";

    /** Conversations whose last id is remembered; beyond this many the memory starts over. */
    private static final int REMEMBERED = 10_000;

    /**
     * Clashes with other instances' appends to one conversation before an append gives up (as
     * for rooms); with the rows locked (PostgreSQL) there are none.
     */
    private static final int ATTEMPTS = 50;

    /** Times a group is tried when the database ends it for a lock it waited for. */
    private static final int LOCK_ATTEMPTS = 3;

    private final JdbcClient jdbc;

    private final TransactionOperations transactions;

    private final StoreWrites writes;

    /** Conversation to the id of its last stored message, as this instance last saw it. */
    private final Map<Conversation, Long> lastIds = new ConcurrentHashMap<>();

    /** The most times one append found its id taken before it was stored. */
    private final AtomicInteger mostClashes = new AtomicInteger();

    /** Whether a group locks its conversations first: on PostgreSQL, which a cluster shares. */
    private final boolean locksRows;

    DirectHistory(JdbcClient jdbc, TransactionOperations transactions, StoreWrites writes, DataSource dataSource) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.writes = writes;
        this.locksRows = StoreWrites.isShared(dataSource);
    }

    /** A direct message to be stored: everything but its id. */
    record Draft(Nickname from, Nickname to, MessageText text, @Nullable ClientId clientId, Instant sentAt) {

        Conversation conversation() {
            return Conversation.between(this.from, this.to);
        }
    }

    /** A conversation and the id of its latest stored message. */
    public record Latest(Conversation conversation, long lastId) {
    }

    /**
     * Stores the drafts in one transaction, each as its conversation's next message in list
     * order; all or, when this throws, none. Conversations are written in the order of their
     * keys, so that instances storing groups over the same ones never wait for each other in a
     * circle, and a group the database ended as a deadlock is tried again.
     *
     * @return for each draft, in order, the stored message, or empty where its {@code clientId}
     * was already used by its sender in its conversation
     */
    List<Optional<DirectMessage>> appendAll(List<Draft> drafts) {
        List<Integer> order = new ArrayList<>(drafts.size());
        for (int i = 0; i < drafts.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing((Integer i) -> drafts.get(i).conversation().low().key())
            .thenComparing(i -> drafts.get(i).conversation().high().key()));
        Map<Conversation, Long> taken = new HashMap<>();
        for (int attempt = 1;; attempt++) {
            try {
                List<Optional<DirectMessage>> stored = this.writes.run(() -> this.transactions.execute(status -> {
                    taken.clear();
                    if (this.locksRows) {
                        lockConversations(drafts, taken);
                    }
                    List<Optional<DirectMessage>> results = new ArrayList<>(
                            Collections.nCopies(drafts.size(), Optional.<DirectMessage>empty()));
                    for (int i : order) {
                        results.set(i, insert(drafts.get(i), taken));
                    }
                    return results;
                }));
                taken.forEach(this::remember);
                return stored;
            }
            catch (PessimisticLockingFailureException ex) {
                if (attempt == LOCK_ATTEMPTS) {
                    throw ex;
                }
                taken.keySet().forEach(this.lastIds::remove);
                taken.clear();
            }
        }
    }

    private Optional<DirectMessage> insert(Draft draft, Map<Conversation, Long> taken) {
        Conversation conversation = draft.conversation();
        String client = (draft.clientId() != null) ? draft.clientId().value() : null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long id = taken.computeIfAbsent(conversation, this::lastId) + 1;
            int rows = this.jdbc.sql(INSERT)
                .param("low", conversation.low().key())
                .param("high", conversation.high().key())
                .param("id", id)
                .param("sender", draft.from().key())
                .param("body", draft.text().value())
                .param("at", draft.sentAt().atOffset(ZoneOffset.UTC))
                .param("clientId", client)
                .update();
            if (rows == 1) {
                this.mostClashes.accumulateAndGet(attempt, Math::max);
                this.jdbc.sql("update conversation set last_id = :id, last_at_ms = :at where " + KEY + " and last_id < :id")
                    .param("low", conversation.low().key())
                    .param("high", conversation.high().key())
                    .param("id", id)
                    .param("at", draft.sentAt().toEpochMilli())
                    .update();
                taken.put(conversation, id);
                return Optional.of(new DirectMessage(id, draft.from(), draft.to(), draft.text().value(), draft.sentAt(),
                        client));
            }
            if (client != null && isStored(conversation, draft.from(), client)) {
                return Optional.empty();
            }
            // the id was taken by another instance: learn the conversation's last id again
            this.lastIds.remove(conversation);
            taken.remove(conversation);
        }
        throw new IllegalStateException("conversation " + conversation + " is too busy on other instances: not stored");
    }

    /**
     * Locks the drafts' conversations until the transaction ends, creating those that do not
     * exist yet (locked by their insert; one another instance creates at the same time is locked
     * once it commits), and puts each one's last id into {@code taken}: read with the lock, after
     * any wait for it, from the row that every append updates, it is the last there is.
     */
    private void lockConversations(List<Draft> drafts, Map<Conversation, Long> taken) {
        List<Conversation> conversations = drafts.stream().map(Draft::conversation).distinct().toList();
        Map<String, Long> locked = lock(conversations);
        List<Conversation> missing = conversations.stream()
            .filter(conversation -> !locked.containsKey(pairKey(conversation)))
            .toList();
        if (!missing.isEmpty()) {
            // after the others, out of order: a deadlock this makes is tried again (appendAll)
            missing.forEach(this::create);
            locked.putAll(lock(missing));
        }
        for (Conversation conversation : conversations) {
            taken.put(conversation, locked.get(pairKey(conversation)));
        }
    }

    /** The locked conversations' last ids by {@link #pairKey}. */
    private Map<String, Long> lock(List<Conversation> conversations) {
        Map<String, Long> locked = new HashMap<>();
        this.jdbc.sql(LOCK)
            .param("pairs", conversations.stream()
                .map(conversation -> new Object[] { conversation.low().key(), conversation.high().key() })
                .toList())
            .query((rs, row) -> locked.put(rs.getString("low_key") + "\n" + rs.getString("high_key"),
                    rs.getLong("last_id")))
            .list();
        return locked;
    }

    private static String pairKey(Conversation conversation) {
        return conversation.low().key() + "\n" + conversation.high().key();
    }

    /** The most times one stored message found its id taken by another instance first. */
    int mostClashes() {
        return this.mostClashes.get();
    }

    /** The conversation's last id, remembered or read; a conversation seen for the first time is created. */
    private long lastId(Conversation conversation) {
        Long last = this.lastIds.get(conversation);
        if (last != null) {
            return last;
        }
        create(conversation);
        return lastStoredId(conversation);
    }

    private void create(Conversation conversation) {
        this.jdbc.sql("""
                insert into conversation (low_key, high_key, low_name, high_name, last_id, last_at_ms)
                values (:low, :high, :lowName, :highName, 0, 0) on conflict do nothing""")
            .param("low", conversation.low().key())
            .param("high", conversation.high().key())
            .param("lowName", conversation.low().value())
            .param("highName", conversation.high().value())
            .update();
    }

    private boolean isStored(Conversation conversation, Nickname sender, String clientId) {
        return this.jdbc.sql("select count(*) from direct_message where " + KEY
                + " and sender_key = :sender and client_id = :clientId")
            .param("low", conversation.low().key())
            .param("high", conversation.high().key())
            .param("sender", sender.key())
            .param("clientId", clientId)
            .query(Long.class)
            .single() > 0;
    }

    private void remember(Conversation conversation, long id) {
        if (this.lastIds.size() >= REMEMBERED) {
            this.lastIds.clear();
        }
        this.lastIds.put(conversation, id);
    }

    /** The id of the conversation's latest stored message as the database has it now; 0 for none. */
    public long lastStoredId(Conversation conversation) {
        return this.jdbc.sql(LAST_ID)
            .param("low", conversation.low().key())
            .param("high", conversation.high().key())
            .query(Long.class)
            .optional()
            .orElse(0L);
    }

    /** The latest {@code limit} messages, oldest first. */
    public List<DirectMessage> latest(Conversation conversation, int limit) {
        return before(conversation, Long.MAX_VALUE, limit);
    }

    /** The {@code limit} messages just older than {@code id}, oldest first. */
    public List<DirectMessage> before(Conversation conversation, long id, int limit) {
        List<DirectMessage> newestFirst = page(BEFORE, conversation, id, limit);
        List<DirectMessage> oldestFirst = new ArrayList<>(newestFirst);
        Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    /** The first {@code limit} messages newer than {@code id}, oldest first. */
    public List<DirectMessage> after(Conversation conversation, long id, int limit) {
        return page(AFTER, conversation, id, limit);
    }

    private List<DirectMessage> page(String sql, Conversation conversation, long id, int limit) {
        return this.jdbc.sql(sql)
            .param("low", conversation.low().key())
            .param("high", conversation.high().key())
            .param("id", id)
            .param("limit", limit)
            .query((rs, row) -> message(rs, conversation))
            .list();
    }

    /**
     * The conversations of {@code party} that hold messages, latest first, at most
     * {@code limit}: two lookups of an index, one for each place the party may have in a pair.
     */
    public List<ConversationSummary> conversations(Nickname party, int limit) {
        List<ConversationSummary> all = new ArrayList<>();
        for (String place : List.of("low_key", "high_key")) {
            this.jdbc.sql("select " + SUMMARY + " from conversation where " + place
                    + " = :key and last_id > 0 order by " + place + " desc, last_at_ms desc limit :limit")
                .param("key", party.key())
                .param("limit", limit)
                .query((rs, row) -> {
                    Conversation conversation = conversation(rs);
                    all.add(new ConversationSummary(conversation, conversation.other(party), rs.getLong("last_id"),
                            Instant.ofEpochMilli(rs.getLong("last_at_ms"))));
                    return null;
                })
                .list();
        }
        all.sort(Comparator.comparing(ConversationSummary::lastMessageAt)
            .reversed()
            .thenComparing(summary -> summary.with().key()));
        return (all.size() > limit) ? List.copyOf(all.subList(0, limit)) : all;
    }

    /**
     * The conversations of any of {@code parties} with a message sent at or after
     * {@code sinceMillis}, with their last ids: what the cluster's catch-up compares with what it
     * delivered. One query per place in the pair per 500 parties.
     */
    public List<Latest> activeSince(Collection<Nickname> parties, long sinceMillis) {
        Map<Conversation, Long> latest = new LinkedHashMap<>();
        List<String> keys = parties.stream().map(Nickname::key).distinct().toList();
        for (int from = 0; from < keys.size(); from += 500) {
            List<String> batch = keys.subList(from, Math.min(keys.size(), from + 500));
            for (String place : List.of("low_key", "high_key")) {
                this.jdbc.sql("select " + SUMMARY + " from conversation where " + place
                        + " in (:keys) and last_at_ms >= :since and last_id > 0")
                    .param("keys", batch)
                    .param("since", sinceMillis)
                    .query((rs, row) -> latest.put(conversation(rs), rs.getLong("last_id")))
                    .list();
            }
        }
        List<Latest> result = new ArrayList<>(latest.size());
        latest.forEach((conversation, id) -> result.add(new Latest(conversation, id)));
        return result;
    }

    private static Conversation conversation(ResultSet rs) throws SQLException {
        return new Conversation(new Nickname(rs.getString("low_name")), new Nickname(rs.getString("high_name")));
    }

    private static DirectMessage message(ResultSet rs, Conversation conversation) throws SQLException {
        boolean fromLow = rs.getString("sender_key").equals(conversation.low().key());
        Nickname from = fromLow ? conversation.low() : conversation.high();
        return new DirectMessage(rs.getLong("id"), from, conversation.other(from), rs.getString("body"),
                StoredInstants.read(rs, "sent_at"), rs.getString("client_id"));
    }

}
