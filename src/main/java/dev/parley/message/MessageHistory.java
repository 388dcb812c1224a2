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

import dev.parley.identity.Nickname;
import dev.parley.room.RoomName;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The stored history of every room, with each room's gap-free message sequence.
 * <p>
 * A message's id is taken from its room's counter in the same transaction that stores it, so an
 * id exists only for a stored message and a failed store leaves no gap. Concurrent appends to
 * one room are serialised by the database's row lock on the counter; {@link MessageService}
 * also serialises them per room on this instance, to broadcast in id order.
 * <p>
 * The last id this instance stored in each room is remembered, so the next append moves the
 * counter from that id to the next with a compare-and-set update and needs no query to learn
 * its id. When another instance has moved the counter meanwhile, the update matches no row and
 * the append reads the counter as it would without the memory.
 */
@Component
public class MessageHistory {

    private static final Comparator<ChatMessage> OLDEST_FIRST = Comparator.comparingLong(ChatMessage::id);

    private static final String COLUMNS = "room, id, sender, body, sent_at, client_id";

    /** Rooms whose last id is remembered; beyond this many the memory starts over. */
    private static final int REMEMBERED_ROOMS = 10_000;

    private final JdbcClient jdbc;

    private final TransactionTemplate transactions;

    /** Room name to the id of the last message this instance stored there, once committed. */
    private final Map<String, Long> lastIds = new ConcurrentHashMap<>();

    MessageHistory(JdbcClient jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /**
     * Stores a message as the room's next one.
     * <p>
     * A repeated {@code clientId} is recognised by the unique index, not by a query first: the
     * insert fails, the transaction rolls back with the room's counter, and nothing is stored.
     *
     * @return the stored message, or empty if {@code clientId} was already used by this sender
     * in this room (then nothing is stored)
     */
    public Optional<ChatMessage> append(RoomName room, Nickname sender, MessageText text, ClientId clientId,
            Instant sentAt) {
        ChatMessage message = new ChatMessage(0, room, sender, text.value(), sentAt,
                (clientId != null) ? clientId.value() : null);
        try {
            ChatMessage stored = this.transactions.execute(tx -> storeNext(message));
            if (stored == null) {
                // the room's first message: create its counter, then store again
                ensureRoom(room);
                stored = this.transactions.execute(tx -> storeNext(message));
            }
            remember(room, stored.id());
            return Optional.of(stored);
        }
        catch (DuplicateKeyException ex) {
            return Optional.empty();
        }
    }

    /** Stores the message with the room's next id; {@code null} if the room has no counter yet. */
    private ChatMessage storeNext(ChatMessage message) {
        String room = message.room().value();
        OffsetDateTime at = utc(message.sentAt());
        Long last = this.lastIds.get(room);
        long id;
        if (last != null && advance(room, last, at)) {
            id = last + 1;
        }
        else if (increment(room, at)) {
            id = this.jdbc.sql("select last_id from room where name = :room")
                    .param("room", room)
                    .query(Long.class)
                    .single();
        }
        else {
            return null;
        }
        this.jdbc.sql("insert into message (" + COLUMNS + ") values (:room, :id, :sender, :body, :at, :clientId)")
                .param("room", room)
                .param("id", id)
                .param("sender", message.sender().value())
                .param("body", message.text())
                .param("at", at)
                .param("clientId", message.clientId())
                .update();
        return new ChatMessage(id, message.room(), message.sender(), message.text(), message.sentAt(),
                message.clientId());
    }

    /** Moves the room's counter from {@code last} to the next id, if it still stands at {@code last}. */
    private boolean advance(String room, long last, OffsetDateTime at) {
        return this.jdbc.sql("update room set last_id = :next, last_message_at = :at where name = :room and last_id = :last")
                .param("next", last + 1)
                .param("at", at)
                .param("room", room)
                .param("last", last)
                .update() == 1;
    }

    /** Moves the room's counter one on, wherever it stands; {@code false} if the room has none. */
    private boolean increment(String room, OffsetDateTime at) {
        return this.jdbc.sql("update room set last_id = last_id + 1, last_message_at = :at where name = :room")
                .param("at", at)
                .param("room", room)
                .update() == 1;
    }

    /** Only after the commit: a rolled-back append must not move the remembered id. */
    private void remember(RoomName room, long id) {
        if (this.lastIds.size() >= REMEMBERED_ROOMS) {
            this.lastIds.clear();
        }
        this.lastIds.put(room.value(), id);
    }

    private void ensureRoom(RoomName room) {
        try {
            this.jdbc.sql("insert into room (name, last_id) select :room, 0 where not exists (select 1 from room where name = :room)")
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
        return this.jdbc.sql("select " + COLUMNS + " from message where room = :room and id < :id order by id desc limit :limit")
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
        return this.jdbc.sql("select " + COLUMNS + " from message where room = :room and id > :id order by id limit :limit")
                .param("room", room.value())
                .param("id", id)
                .param("limit", limit)
                .query(MessageHistory::message)
                .list();
    }

    /** Every room that holds messages. */
    public List<RoomStats> rooms() {
        return this.jdbc.sql("select name, last_id, last_message_at from room where last_id > 0")
                .query((rs, row) -> new RoomStats(new RoomName(rs.getString("name")), rs.getLong("last_id"),
                        instant(rs, "last_message_at")))
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
