package dev.parley.message;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.parley.core.Nickname;
import dev.parley.core.RoomName;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The stored history of every room, with each room's gap-free message sequence.
 * <p>
 * A message is stored by one insert, in the database's auto-commit mode, with the id after the
 * room's last: the primary key {@code (room, id)} is what makes an id unique, so an id exists
 * only for a stored message and a failed insert leaves no gap. {@link MessageService}
 * serialises a room's appends on this instance, to broadcast in id order, and this instance
 * remembers each room's last id so that an append needs no query. When another instance has
 * taken the next id meanwhile, the insert clashes on the primary key, and the append reads the
 * room's last id again and retries.
 * <p>
 * The rooms table holds only names (the messages' foreign key); a room's count and latest time
 * are read from its latest message.
 */
@Component
public class MessageHistory {

    private static final Comparator<ChatMessage> OLDEST_FIRST = Comparator.comparingLong(ChatMessage::id);

    private static final String COLUMNS = "room, id, sender, body, sent_at, client_id";

    // Reads order by both columns of the primary key (room, id), though room is fixed: H2 reads
    // an index in order, forwards or backwards, only when ORDER BY names its leading columns.
    // Ordered by id alone, H2 read and sorted a room's whole history: 35-120 ms per query at
    // 50,000 messages, against 0.1-2.4 ms (bench/tools/HistoryQueries.java).

    static final String LAST_ID = "select id from message where room = :room order by room desc, id desc fetch first row only";

    static final String BEFORE = "select " + COLUMNS
            + " from message where room = :room and id < :id order by room desc, id desc limit :limit";

    static final String AFTER = "select " + COLUMNS
            + " from message where room = :room and id > :id order by room, id limit :limit";

    static final String ROOMS = """
            select name, last_id, last_at from (
                select r.name,
                    (select m.id from message m where m.room = r.name order by m.room desc, m.id desc fetch first row only) as last_id,
                    (select m.sent_at from message m where m.room = r.name order by m.room desc, m.id desc fetch first row only) as last_at
                from room r) latest
            where last_id is not null
            """;

    /** Rooms whose last id is remembered; beyond this many the memory starts over. */
    private static final int REMEMBERED_ROOMS = 10_000;

    /**
     * Clashes with other instances' appends to one room before an append gives up. Three
     * instances appending to one room as fast as they can (MessageHistoryTests, 2 cores) needed
     * up to 15 attempts for one append in 5 runs, and once, in CI, more than 20.
     */
    private static final int ATTEMPTS = 50;

    private final JdbcClient jdbc;

    /** Room name to the id of the last message stored there, as this instance last saw it. */
    private final Map<String, Long> lastIds = new ConcurrentHashMap<>();

    MessageHistory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores a message as the room's next one.
     * <p>
     * A repeated {@code clientId} is recognised by the unique index, not by a query first: the
     * insert fails and nothing is stored.
     *
     * @return the stored message, or empty if {@code clientId} was already used by this sender
     * in this room (then nothing is stored)
     * @throws IllegalStateException if other instances took the room's next id
     * {@value #ATTEMPTS} times in a row
     */
    public Optional<ChatMessage> append(RoomName room, Nickname sender, MessageText text, ClientId clientId,
            Instant sentAt) {
        String name = room.value();
        String client = (clientId != null) ? clientId.value() : null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long id = lastId(room) + 1;
            try {
                this.jdbc.sql("insert into message (" + COLUMNS + ") values (:room, :id, :sender, :body, :at, :clientId)")
                        .param("room", name)
                        .param("id", id)
                        .param("sender", sender.value())
                        .param("body", text.value())
                        .param("at", utc(sentAt))
                        .param("clientId", client)
                        .update();
            }
            catch (DuplicateKeyException ex) {
                if (client != null && isStored(name, sender, client)) {
                    return Optional.empty();
                }
                // the id was taken by another instance: learn the room's last id again
                this.lastIds.remove(name);
                continue;
            }
            remember(name, id);
            return Optional.of(new ChatMessage(id, room, sender, text.value(), sentAt, client));
        }
        throw new IllegalStateException("room '" + room + "' is too busy on other instances: message not stored");
    }

    /** The room's last id, remembered or read; a room seen for the first time is created. */
    private long lastId(RoomName room) {
        Long last = this.lastIds.get(room.value());
        if (last != null) {
            return last;
        }
        ensureRoom(room);
        return this.jdbc.sql(LAST_ID)
                .param("room", room.value())
                .query(Long.class)
                .optional()
                .orElse(0L);
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
        try {
            this.jdbc.sql("insert into room (name) select :room where not exists (select 1 from room where name = :room)")
                    .param("room", room.value())
                    .update();
        }
        catch (DuplicateKeyException ex) {
            // created concurrently: exactly what was wanted
        }
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
                .query(MessageHistory::message)
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
                .query(MessageHistory::message)
                .list();
    }

    /** Every room that holds messages. */
    public List<RoomStats> rooms() {
        return this.jdbc.sql(ROOMS)
                .query((rs, row) -> new RoomStats(new RoomName(rs.getString("name")), rs.getLong("last_id"),
                        instant(rs, "last_at")))
                .list();
    }

    private static ChatMessage message(ResultSet rs, int row) throws SQLException {
        return new ChatMessage(rs.getLong("id"), new RoomName(rs.getString("room")),
                new Nickname(rs.getString("sender")), rs.getString("body"), instant(rs, "sent_at"),
                rs.getString("client_id"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return (value != null) ? value.toInstant() : null;
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
