package dev.parley.message;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import dev.parley.core.Nickname;
import dev.parley.core.RoomName;
import dev.parley.core.StoreWrites;
import dev.parley.core.StoredInstants;

import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionOperations;

/**
 * The stored history of every room, with each room's gap-free message sequence.
 * <p>
 * Messages are stored in groups, one transaction per group ({@link #appendAll}), each with the id
 * after its room's last: the primary key {@code (room, id)} is what makes an id unique, so an id
 * exists only for a stored message and a failed transaction leaves no gap. One thread appends on
 * an instance ({@link GroupCommitter}), and this instance remembers each room's last id so that an
 * append needs no query; it learns a group's ids only once the group is committed. When another
 * instance has taken the next id meanwhile, the insert does nothing, and the append reads the
 * room's last id again and retries.
 * <p>
 * On PostgreSQL, where instances of a cluster append to the same rooms, a group first locks its
 * rooms' rows, all in one statement in name order, and holds them until it commits (a message
 * alone takes its room's lock in its insert): appends to a room queue in the order they asked,
 * and the last id read under the lock is the last there is.
 * Without it an instance that lost an id had to read the last id again while the winner, which
 * needs no read, had often already taken the next one: two instances appending back to back made
 * one lose 50 times in a row and refuse the message.
 * <p>
 * The rooms table holds only names (the messages' foreign key); a room's count and latest time
 * are read from its latest message.
 */
@Component
public class MessageHistory {

    private static final Comparator<ChatMessage> OLDEST_FIRST = Comparator.comparingLong(ChatMessage::id);

    private static final String COLUMNS = "room, id, sender, body, sent_at, client_id";

    // Reads order by both columns of the primary key (room, id), though room is fixed, so that
    // the database reads the key's index in order, forwards or backwards, and sorts nothing
    // (H2, Parley's store before SQLite, read and sorted a room's whole history otherwise).

    static final String LAST_ID = "select id from message where room = :room order by room desc, id desc limit 1";

    static final String LAST_IDS = """
            select r.name,
                (select m.id from message m where m.room = r.name order by m.room desc, m.id desc limit 1) as last_id
            from room r where r.name in (:rooms)
            """;

    static final String BEFORE = "select " + COLUMNS
            + " from message where room = :room and id < :id order by room desc, id desc limit :limit";

    static final String AFTER = "select " + COLUMNS
            + " from message where room = :room and id > :id order by room, id limit :limit";

    // A page of rooms that hold messages, in name order: {byteOrder} is empty on SQLite, whose
    // text compares byte by byte, and a collation of the same order on PostgreSQL, whose default
    // one (en_US, say) may sort '-' and '_' elsewhere; the pages are merged with the rooms that
    // have online users in Java's order, which must be the database's. LIKE's wildcards in the
    // prefix are escaped ('_' is allowed in a room name).
    static final String ROOMS = """
            select r.name,
                (select m.id from message m where m.room = r.name order by m.room desc, m.id desc limit 1) as last_id,
                (select m.sent_at from message m where m.room = r.name order by m.room desc, m.id desc limit 1) as last_at
            from room r
            where r.name{byteOrder} > :after and r.name like :prefix escape '!'
                and exists (select 1 from message m where m.room = r.name)
            order by r.name{byteOrder}
            limit :limit
            """;

    // FOR NO KEY UPDATE, not FOR UPDATE: it queues appends to a room as well, and leaves the
    // key-share lock that the messages' foreign key takes on the room free. Rows are locked in
    // the sort's order, so that two groups over the same rooms never wait for each other in a
    // circle.
    static final String LOCK_ROOMS = "select name from room where name in (:rooms) order by name collate \"C\""
            + " for no key update";

    // PostgreSQL, a message alone: the room's lock and the insert in one statement, held until it
    // commits at once; nothing is inserted where the id is taken, the clientId used or the room
    // new. Cast where the select list's parameters would otherwise be text.
    private static final String LOCKED_INSERT = "insert into message (" + COLUMNS + ")"
            + " select locked.name, ?::bigint, ?, ?, ?::timestamptz, ?"
            + " from (select name from room where name = ? for no key update) locked on conflict do nothing";

    // Inserts nothing, rather than failing, where the id is taken or the clientId used: a failed
    // statement would end the whole group's transaction on PostgreSQL.
    private static final String INSERT = "insert into message (" + COLUMNS
            + ") values (?, ?, ?, ?, ?, ?) on conflict do nothing";

    /** Rooms whose last id is remembered; beyond this many the memory starts over. */
    private static final int REMEMBERED_ROOMS = 10_000;

    /**
     * Clashes with other instances' appends to one room before an append gives up. With the
     * rooms locked (PostgreSQL) an append clashes at most once, where this instance's memory of
     * the last id was old. SQLite serves one instance, but tests open several on one file: three
     * appending to one room as fast as they can (MessageHistoryTests, 2 cores) needed up to 15
     * attempts for one append in 5 runs, and once, in CI, more than 20.
     */
    private static final int ATTEMPTS = 50;

    /** Times a group is tried when the database ends it for a lock it waited for. */
    private static final int LOCK_ATTEMPTS = 3;

    private final JdbcClient jdbc;

    private final TransactionOperations transactions;

    private final StoreWrites writes;

    /** Room name to the id of the last message stored there, as this instance last saw it. */
    private final Map<String, Long> lastIds = new ConcurrentHashMap<>();

    /** The most times one append found its id taken before it was stored. */
    private final AtomicInteger mostClashes = new AtomicInteger();

    /** {@link #ROOMS} for this database. */
    private final String roomsQuery;

    /** Whether a group locks its rooms first: on PostgreSQL, which a cluster shares. */
    private final boolean locksRooms;

    /** {@link #INSERT}, prepared once per connection: the one statement of every message. */
    private final ReusedStatement insert;

    /** {@link #LOCKED_INSERT}, for a message alone on PostgreSQL. */
    private final ReusedStatement lockedInsert;

    MessageHistory(JdbcClient jdbc, TransactionOperations transactions, StoreWrites writes, DataSource dataSource) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.writes = writes;
        boolean postgres = StoreWrites.isShared(dataSource);
        this.roomsQuery = ROOMS.replace("{byteOrder}", postgres ? " collate \"C\"" : "");
        this.locksRooms = postgres;
        this.insert = new ReusedStatement(dataSource, INSERT);
        this.lockedInsert = new ReusedStatement(dataSource, LOCKED_INSERT);
    }

    /** A message to be stored: everything but its id. */
    public record Draft(RoomName room, Nickname sender, MessageText text, @Nullable ClientId clientId,
            Instant sentAt) {
    }

    /**
     * Stores a message as the room's next one, in a transaction of its own.
     *
     * @return the stored message, or empty if {@code clientId} was already used by this sender
     * in this room (then nothing is stored)
     */
    public Optional<ChatMessage> append(RoomName room, Nickname sender, MessageText text, @Nullable ClientId clientId,
            Instant sentAt) {
        return appendAll(List.of(new Draft(room, sender, text, clientId, sentAt))).get(0);
    }

    /**
     * Stores the drafts in one transaction, each as its room's next message in list order, so
     * that a room's drafts take consecutive ids in the order given. All are stored or, when this
     * throws, none. Rooms are written in name order, and a group the database ended as a
     * deadlock with another instance's is tried again, {@value #LOCK_ATTEMPTS} times in all.
     * <p>
     * A repeated {@code clientId} is recognised by the unique index, not by a query first: the
     * insert does nothing.
     *
     * @return for each draft, in order, the stored message, or empty where its {@code clientId}
     * was already used by its sender in its room
     * @throws IllegalStateException if other instances took a room's next id {@value #ATTEMPTS}
     * times in a row
     */
    public List<Optional<ChatMessage>> appendAll(List<Draft> drafts) {
        // by room, each room's drafts in their order: instances that store groups over the same
        // rooms take the rooms' rows in one order, so that none waits for another in a circle
        // (PostgreSQL would end one of them as a deadlock)
        List<Integer> order = new ArrayList<>(drafts.size());
        for (int i = 0; i < drafts.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing(i -> drafts.get(i).room().value()));
        Map<String, Long> taken = new HashMap<>();
        for (int attempt = 1;; attempt++) {
            try {
                List<Optional<ChatMessage>> stored = this.writes.run(() -> {
                    // one insert is atomic by itself: no transaction to begin and end around it
                    if (drafts.size() == 1 && !this.locksRooms) {
                        return List.of(insert(drafts.get(0), taken, 0));
                    }
                    Long last = (drafts.size() == 1) ? this.lastIds.get(drafts.get(0).room().value()) : null;
                    if (last != null) {
                        Optional<ChatMessage> alone = insertLocked(drafts.get(0), last + 1, taken);
                        if (alone.isPresent()) {
                            return List.of(alone);
                        }
                        // the id taken or the clientId used: as a group, whose read of the last
                        // id under the room's lock is the last there is
                        this.lastIds.remove(drafts.get(0).room().value());
                    }
                    int clashedBefore = (last != null) ? 1 : 0;
                    return this.transactions.execute(status -> {
                        taken.clear();
                        if (this.locksRooms) {
                            lockRooms(drafts);
                        }
                        List<Optional<ChatMessage>> results = new ArrayList<>(Collections.nCopies(drafts.size(),
                                Optional.<ChatMessage>empty()));
                        for (int i : order) {
                            results.set(i, insert(drafts.get(i), taken, clashedBefore));
                        }
                        return results;
                    });
                });
                // only what was committed: a group that failed leaves nothing to remember
                taken.forEach(this::remember);
                return stored;
            }
            catch (PessimisticLockingFailureException ex) {
                // a deadlock or serialization failure with another instance: nothing was stored
                if (attempt == LOCK_ATTEMPTS) {
                    throw ex;
                }
                taken.keySet().forEach(this.lastIds::remove);
                taken.clear();
            }
        }
    }

    /**
     * A message alone on PostgreSQL, as {@code id}, locking the room in the insert's statement;
     * empty where nothing was inserted.
     */
    private Optional<ChatMessage> insertLocked(Draft draft, long id, Map<String, Long> taken) {
        String room = draft.room().value();
        String client = (draft.clientId() != null) ? draft.clientId().value() : null;
        if (this.lockedInsert.update(id, draft.sender().value(), draft.text().value(), utc(draft.sentAt()), client,
                room) == 0) {
            return Optional.empty();
        }
        taken.put(room, id);
        return Optional.of(new ChatMessage(id, draft.room(), draft.sender(), draft.text().value(), draft.sentAt(),
                client));
    }

    /** Inserts with the room's next id, read again where it was taken; {@code clashed}: times it was before. */
    private Optional<ChatMessage> insert(Draft draft, Map<String, Long> taken, int clashed) {
        String room = draft.room().value();
        String client = (draft.clientId() != null) ? draft.clientId().value() : null;
        for (int attempt = clashed; attempt < ATTEMPTS; attempt++) {
            long id = taken.computeIfAbsent(room, name -> lastId(draft.room())) + 1;
            int rows = this.insert.update(room, id, draft.sender().value(), draft.text().value(), utc(draft.sentAt()),
                    client);
            if (rows == 1) {
                this.mostClashes.accumulateAndGet(attempt, Math::max);
                taken.put(room, id);
                return Optional.of(new ChatMessage(id, draft.room(), draft.sender(), draft.text().value(),
                        draft.sentAt(), client));
            }
            if (client != null && isStored(room, draft.sender(), client)) {
                return Optional.empty();
            }
            // the id was taken by another instance: learn the room's last id again
            this.lastIds.remove(room);
            taken.remove(room);
        }
        throw new IllegalStateException("room '" + room + "' is too busy on other instances: message not stored");
    }

    /**
     * Locks the drafts' rooms until the transaction ends, creating those that do not exist yet.
     * A room created here is locked by its insert until the commit; one that another instance
     * creates at the same time is locked once that instance commits.
     */
    private void lockRooms(List<Draft> drafts) {
        List<String> rooms = drafts.stream().map(draft -> draft.room().value()).distinct().sorted().toList();
        Set<String> locked = new HashSet<>(lock(rooms));
        if (locked.size() < rooms.size()) {
            List<String> missing = rooms.stream().filter(room -> !locked.contains(room)).toList();
            // after the others, out of order: a deadlock this makes is tried again (appendAll)
            missing.forEach(this::ensureRoom);
            lock(missing);
        }
    }

    /** The rooms locked: one statement, as a group holds at most {@link GroupCommitter#MAX_GROUP} rooms. */
    private List<String> lock(List<String> rooms) {
        return this.jdbc.sql(LOCK_ROOMS).param("rooms", rooms).query(String.class).list();
    }

    /** The most times one stored message found its id taken by another instance first. */
    int mostClashes() {
        return this.mostClashes.get();
    }

    /** How many times the message insert was prepared: once per connection it ran on. */
    long insertsPrepared() {
        return this.insert.prepared();
    }

    /** The room's last id, remembered or read; a room seen for the first time is created. */
    private long lastId(RoomName room) {
        Long last = this.lastIds.get(room.value());
        if (last != null) {
            return last;
        }
        ensureRoom(room);
        return lastStoredId(room);
    }

    private boolean isStored(String room, Nickname sender, String clientId) {
        return this.jdbc.sql("select count(*) from message where room = :room and sender = :sender and client_id = :clientId")
                .param("room", room)
                .param("sender", sender.value())
                .param("clientId", clientId)
                .query(Long.class)
                .single() > 0;
    }

    private void remember(String room, long id) {
        if (this.lastIds.size() >= REMEMBERED_ROOMS) {
            this.lastIds.clear();
        }
        this.lastIds.put(room, id);
    }

    private void ensureRoom(RoomName room) {
        ensureRoom(room.value());
    }

    private void ensureRoom(String room) {
        this.jdbc.sql("insert into room (name) values (:room) on conflict do nothing")
                .param("room", room)
                .update();
    }

    /** The id of the room's latest stored message as the database has it now; 0 for none. */
    public long lastStoredId(RoomName room) {
        return this.jdbc.sql(LAST_ID)
                .param("room", room.value())
                .query(Long.class)
                .optional()
                .orElse(0L);
    }

    /**
     * The id of each given room's latest stored message, for the rooms that have any: one
     * lookup of the primary key per room, in one query per 500 rooms.
     */
    public Map<RoomName, Long> lastStoredIds(Collection<RoomName> rooms) {
        Map<RoomName, Long> last = new HashMap<>();
        List<String> names = rooms.stream().map(RoomName::value).distinct().toList();
        for (int from = 0; from < names.size(); from += 500) {
            this.jdbc.sql(LAST_IDS)
                    .param("rooms", names.subList(from, Math.min(names.size(), from + 500)))
                    .query((rs, row) -> {
                        long id = rs.getLong("last_id");
                        if (!rs.wasNull()) {
                            last.put(new RoomName(rs.getString("name")), id);
                        }
                        return null;
                    })
                    .list();
        }
        return last;
    }

    /** The latest {@code limit} messages, oldest first. */
    public List<ChatMessage> latest(RoomName room, int limit) {
        return before(room, Long.MAX_VALUE, limit);
    }

    /** The {@code limit} messages just older than {@code id}, oldest first. */
    public List<ChatMessage> before(RoomName room, long id, int limit) {
        return this.jdbc.sql(BEFORE)
                .param("room", room.value())
                .param("id", id)
                .param("limit", limit)
                .query(messagesOf(room))
                .list()
                .stream()
                .sorted(OLDEST_FIRST)
                .toList();
    }

    /** The first {@code limit} messages newer than {@code id}, oldest first. */
    public List<ChatMessage> after(RoomName room, long id, int limit) {
        return this.jdbc.sql(AFTER)
                .param("room", room.value())
                .param("id", id)
                .param("limit", limit)
                .query(messagesOf(room))
                .list();
    }

    /**
     * The first {@code limit} rooms that hold messages, by name (in {@link String#compareTo}'s
     * order), among those after {@code after} whose names start with {@code prefix}.
     *
     * @param after a name, or {@code ""} for the first page
     * @param prefix the start of the names, {@code ""} for all
     */
    public List<RoomStats> rooms(String after, String prefix, int limit) {
        return this.jdbc.sql(this.roomsQuery)
                .param("after", after)
                .param("prefix", prefix.replace("!", "!!").replace("_", "!_").replace("%", "!%") + "%")
                .param("limit", limit)
                .query((rs, row) -> new RoomStats(new RoomName(rs.getString("name")), rs.getLong("last_id"),
                        StoredInstants.read(rs, "last_at")))
                .list();
    }

    /**
     * Maps a page of the room's messages. Its rows are the room's, so its name is not read back
     * and checked again, and each sender's name is checked once per page: in a reconnect storm
     * every client fetches what it missed, and checking the names again showed in its profile.
     */
    private static RowMapper<ChatMessage> messagesOf(RoomName room) {
        Map<String, Nickname> senders = new HashMap<>();
        return (rs, row) -> new ChatMessage(rs.getLong("id"), room,
                senders.computeIfAbsent(rs.getString("sender"), Nickname::new), rs.getString("body"),
                StoredInstants.read(rs, "sent_at"), rs.getString("client_id"));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
