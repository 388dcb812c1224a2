package dev.parley.message;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import dev.parley.config.ChatProperties;
import dev.parley.core.Nickname;
import dev.parley.core.RoomName;
import dev.parley.core.StoreWrites;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The latest messages kept in memory for catch-ups, over a real store (SQLite in a file, as the
 * service runs it): every answer is compared with what the store holds, and the meter
 * {@code parley.catchup.memory} tells which answers came from memory.
 */
class RecentMessagesTests {

    private static final RoomName ROOM = new RoomName("lobby");

    private static final Nickname ALICE = new Nickname("alice");

    @TempDir
    Path directory;

    private SQLiteDataSource dataSource;

    private MessageHistory store;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    /** Runs in the middle of a catch-up's read of the store, once, when set. */
    private @Nullable Consumer<RecentMessages> duringRead;

    @BeforeEach
    void freshDatabase() {
        this.dataSource = EmbeddedStore.migrated(this.directory);
        this.store = EmbeddedStore.history(this.dataSource);
    }

    private RecentMessages recent(String memory) {
        ChatProperties properties = new Binder(new MapConfigurationPropertySource(
                Map.of("chat.history.recent-memory", memory))).bindOrCreate("chat", ChatProperties.class);
        RecentMessages[] self = new RecentMessages[1];
        // the same store, with a hook where a read has been made and not yet answered
        MessageHistory reads = new MessageHistory(JdbcClient.create(this.dataSource),
                new TransactionTemplate(new DataSourceTransactionManager(this.dataSource)), new StoreWrites(),
                this.dataSource) {

            @Override
            public List<ChatMessage> after(RoomName room, long id, int limit) {
                List<ChatMessage> read = super.after(room, id, limit);
                Consumer<RecentMessages> hook = RecentMessagesTests.this.duringRead;
                RecentMessagesTests.this.duringRead = null;
                if (hook != null) {
                    hook.accept(self[0]);
                }
                return read;
            }
        };
        self[0] = new RecentMessages(reads, properties, this.dataSource, this.meters);
        return self[0];
    }

    /** Stores a message (as the group commit does) without publishing it. */
    private ChatMessage store(String text) {
        return store(text, text.length());
    }

    private ChatMessage store(String text, int length) {
        return this.store.append(ROOM, ALICE, new MessageText(text.repeat(Math.max(1, length / text.length()))),
                null, Instant.parse("2026-12-07T10:00:00.123Z")).orElseThrow();
    }

    /** Stores and publishes {@code count} messages, as the group commit does. */
    private void post(RecentMessages recent, int count) {
        for (int i = 0; i < count; i++) {
            recent.published(store("message " + i));
        }
    }

    private double fromMemory() {
        return this.meters.counter("parley.catchup.memory").count();
    }

    @Test
    void aCatchUpWithinThePublishedMessagesReadsNoStore() {
        RecentMessages recent = recent("8MB");
        post(recent, 10);

        assertThat(recent.after(ROOM, 4, 50)).isEqualTo(this.store.after(ROOM, 4, 50)).hasSize(6);
        assertThat(recent.after(ROOM, 0, 3)).isEqualTo(this.store.after(ROOM, 0, 3));
        assertThat(recent.after(ROOM, 10, 50)).isEmpty();
        assertThat(fromMemory()).isEqualTo(3);
    }

    @Test
    void aCatchUpFromBeforeTheKeptMessagesReadsTheStoreAndKeepsWhatItRead() {
        RecentMessages recent = recent("8MB");
        store("before a restart");
        store("before a restart");
        post(recent, 3);

        assertThat(recent.after(ROOM, 0, 50)).isEqualTo(this.store.after(ROOM, 0, 50)).hasSize(5);
        assertThat(fromMemory()).isZero();
        assertThat(recent.after(ROOM, 0, 50)).isEqualTo(this.store.after(ROOM, 0, 50));
        assertThat(fromMemory()).isEqualTo(1);
    }

    @Test
    void aReadThatDidNotReachTheRoomsEndIsNotKept() {
        RecentMessages recent = recent("8MB");
        store("older");
        store("older");
        store("older");

        assertThat(recent.after(ROOM, 0, 2)).hasSize(2);
        assertThat(recent.after(ROOM, 0, 2)).isEqualTo(this.store.after(ROOM, 0, 2));
        assertThat(fromMemory()).isZero();
    }

    @Test
    void onlyThe64NewestOfARoomAreKept() {
        RecentMessages recent = recent("8MB");
        post(recent, 100);

        assertThat(recent.after(ROOM, 36, 200)).isEqualTo(this.store.after(ROOM, 36, 200)).hasSize(64);
        assertThat(fromMemory()).isEqualTo(1);
        assertThat(recent.after(ROOM, 35, 200)).isEqualTo(this.store.after(ROOM, 35, 200)).hasSize(65);
        assertThat(fromMemory()).isEqualTo(1);
    }

    @Test
    void aMessagePublishedWhileTheStoreWasReadIsNotMissedWhenItsRoomWasDropped() {
        // room for a few short messages, not for one of 2,000 characters: that one's room is
        // dropped as soon as it is kept
        RecentMessages recent = recent("2KB");
        store("older");
        store("older");
        this.duringRead = self -> self.published(store("long", 2000));

        assertThat(recent.after(ROOM, 0, 50)).hasSize(2);

        // what the read found ends before the message published meanwhile: not kept
        assertThat(recent.after(ROOM, 0, 50)).isEqualTo(this.store.after(ROOM, 0, 50)).hasSize(3);
        assertThat(fromMemory()).isZero();
    }

    @Test
    void aMessagePublishedWhileTheStoreWasReadJoinsWhatWasRead() {
        RecentMessages recent = recent("8MB");
        store("older");
        store("older");
        this.duringRead = self -> self.published(store("newer"));

        assertThat(recent.after(ROOM, 0, 50)).hasSize(2);

        assertThat(recent.after(ROOM, 0, 50)).isEqualTo(this.store.after(ROOM, 0, 50)).hasSize(3);
        assertThat(fromMemory()).isEqualTo(1);
    }

    @Test
    void aReadOfTheStoreAfterARestartIsKept() {
        RecentMessages recent = recent("8MB");
        store("before the restart");
        store("before the restart");
        store("before the restart");

        assertThat(recent.after(ROOM, 0, 50)).hasSize(3);

        assertThat(recent.after(ROOM, 1, 50)).isEqualTo(this.store.after(ROOM, 1, 50)).hasSize(2);
        assertThat(fromMemory()).isEqualTo(1);
    }

    @Test
    void aMessageStoredButNeverPublishedIsReadFromTheStore() {
        RecentMessages recent = recent("8MB");
        post(recent, 3);
        store("never published");
        post(recent, 1);

        assertThat(recent.after(ROOM, 3, 50)).isEqualTo(this.store.after(ROOM, 3, 50)).hasSize(2);
        assertThat(fromMemory()).isZero();
        assertThat(recent.after(ROOM, 4, 50)).isEqualTo(this.store.after(ROOM, 4, 50)).hasSize(1);
        assertThat(fromMemory()).isEqualTo(1);
    }

    @Test
    void messagesFromMemoryAreTheStoresToTheLetter() {
        RecentMessages recent = recent("8MB");
        Nickname bob = new Nickname("Bob");
        recent.published(this.store.append(ROOM, bob, new MessageText("grüße, 你好 🎉"), new ClientId("c-1"),
                Instant.parse("2026-12-07T10:00:00.120Z")).orElseThrow());
        recent.published(this.store.append(ROOM, ALICE, new MessageText("plain"), null,
                Instant.parse("2026-12-07T10:00:01Z")).orElseThrow());

        List<ChatMessage> fromMemory = recent.after(ROOM, 0, 50);
        List<ChatMessage> fromStore = this.store.after(ROOM, 0, 50);

        assertThat(fromMemory()).isEqualTo(1);
        assertThat(fromMemory).isEqualTo(fromStore);
        // records compare nicknames ignoring case: the spelling shown must be the stored one too
        assertThat(fromMemory).extracting(message -> message.sender().value())
            .isEqualTo(fromStore.stream().map(message -> message.sender().value()).toList())
            .containsExactly("Bob", "alice");
    }

    @Test
    void theKeptMessagesStayWithinTheirMemory() {
        RecentMessages recent = recent("256KB");
        for (int room = 0; room < 40; room++) {
            RoomName name = new RoomName("room-" + room);
            for (int i = 0; i < 10; i++) {
                recent.published(this.store.append(name, ALICE, new MessageText("x".repeat(2000)), null,
                        Instant.now()).orElseThrow());
            }
        }

        // 800,000 characters published, at most 256 KB kept, and the estimate counts the text
        assertThat(recent.keptBytes()).isLessThanOrEqualTo(256 * 1024).isGreaterThanOrEqualTo(10 * 2000);
        int roomsKept = 0;
        for (int room = 0; room < 40; room++) {
            double before = fromMemory();
            assertThat(recent.after(new RoomName("room-" + room), 0, 50)).hasSize(10);
            roomsKept += (fromMemory() > before) ? 1 : 0;
        }
        assertThat(roomsKept).isLessThanOrEqualTo(256 * 1024 / (10 * 2000));
    }

    @Test
    void noMemoryMeansEveryCatchUpReadsTheStore() {
        RecentMessages recent = recent("0");
        post(recent, 5);

        assertThat(recent.isOn()).isFalse();
        assertThat(recent.after(ROOM, 2, 50)).isEqualTo(this.store.after(ROOM, 2, 50)).hasSize(3);
        assertThat(fromMemory()).isZero();
    }
}
