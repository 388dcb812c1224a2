package dev.parley.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.LongStream;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.parley.delivery.session.ClientSessionDecorator;
import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.RawFrame;
import dev.parley.support.RawStompSocket;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static dev.parley.support.Destinations.ERRORS;
import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that stops reading its socket (contract section 3): the server never lets it hold up
 * anyone else, cuts it off once it falls too far behind ({@link ClientSessionDecorator}), and
 * the client catches up from history when it comes back.
 * <p>
 * The slow client is a bare TCP socket with a tiny receive buffer that does the WebSocket
 * handshake by hand, so nothing in the test reads on its behalf. The send limits are lowered
 * (64 KB queued, 2 s per write) so that it is cut off sooner, and the rate limit is raised out
 * of the way; these properties make a Spring context of its own.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.datasource.url=jdbc:sqlite:target/test-db/parley-slow-${random.uuid}.db",
                "server.shutdown=immediate",
                "chat.rate-limit.burst=100000", "chat.rate-limit.per-second=100000",
                "chat.transport.send-buffer-size-limit=64KB", "chat.transport.send-time-limit=2s",
                // the cut-off's own log line, for diagnosing a failure
                "logging.level.dev.parley.delivery.session.ClientSessionDecorator=DEBUG" })
class SlowClientIntegrationTests extends ParleyIntegrationTestBase {

    private static final Duration SEND_TIME_LIMIT = Duration.ofSeconds(2);

    /**
     * How long the slow client may stay online once it can take no more: one send time limit for
     * a stuck write to give up, plus slack for a busy machine.
     */
    private static final Duration CUT_OFF_BOUND = SEND_TIME_LIMIT.plusSeconds(8);

    /** Code points of a message: close to the limit of 2000, so that few messages fill buffers. */
    private static final int TEXT_LENGTH = 2000;

    /** A code point of four bytes in UTF-8 (U+1F600): a message is about 8 KB on the wire. */
    private static final String WIDE_CHARACTER = Character.toString(0x1F600);

    /**
     * Messages posted at once, about 33 KB: half the send buffer size limit. The limit applies to
     * whatever queues up while one write is under way, so a larger burst could cut off the
     * reading client too.
     */
    private static final int ROUND = 4;

    /**
     * Where the test gives up on a cut-off: about 32 MB. Beside the 64 KB queue, the kernel's
     * buffers take what the client does not read (on loopback the server's send buffer grows to
     * {@code net.ipv4.tcp_wmem}'s maximum, 4 MB by default) before any write blocks.
     */
    private static final int MOST_MESSAGES = 4000;

    private final List<RawStompSocket> rawSockets = new ArrayList<>();

    @Autowired
    private MeterRegistry meters;

    @AfterEach
    void closeRawSockets() {
        this.rawSockets.forEach(RawStompSocket::close);
    }

    @Test
    void clientThatStopsReadingIsCutOffWhileOthersReceiveEveryMessage() {
        Room room = roomWithStalledClient();
        double cutOffs = cutOffs();

        Posted posted = room.postUntilStalledClientLeaves();

        assertThat(cutOffs()).as("parley.slow.client.cutoffs").isEqualTo(cutOffs + 1);

        assertThat(ids(posted.watcherSaw())).as("the reading client gets every message, in order, although another stalls")
                .isEqualTo(LongStream.rangeClosed(1, posted.count()).boxed().toList());
        assertThat(posted.watcherSaw()).filteredOn(isType("MESSAGE"))
                .allSatisfy(message -> assertThat(message.get("text").asString())
                        .isEqualTo(messageText(message.get("id").asInt())));
        assertThat(posted.watcherSaw()).filteredOn(isLeaveOf(room.stalled.nickname()))
                .as("the stalled client's presence ended: it was cut off").hasSize(1);
        assertThat(room.senderErrors.messages()).as("errors of the posting client").isEmpty();

        // Reading again, the stalled client finds what was in its buffers, then the end. A close
        // frame gets through only if no write was stuck halfway through a frame, so either ending
        // will do.
        RawStompSocket.Drained drained = room.stalledSocket.drain(Duration.ofSeconds(10));
        assertThat(drained.ending()).as("how the stalled connection ended, after %s", drained)
                .isIn(RawStompSocket.Ending.CLOSE_FRAME, RawStompSocket.Ending.END_OF_STREAM);
        assertThat(drained.highestMessageId()).as("the stalled client missed messages").isLessThan(posted.count());
        assertThat(ids(drained.events())).as("what reached it before the cut-off has no gaps")
                .isEqualTo(LongStream.rangeClosed(1, drained.highestMessageId()).boxed().toList());

        // the others go on as before
        room.sender.send(send(room.name), Map.of("text", "after the cut-off"));
        assertThat(room.watcherEvents.nextMatching(isType("MESSAGE")).get("id").asLong())
                .isEqualTo(posted.count() + 1);
    }

    @Test
    void slowClientCatchesUpFromHistoryAfterReconnecting() {
        Room room = roomWithStalledClient();
        Posted posted = room.postUntilStalledClientLeaves();
        long lastSeen = room.stalledSocket.drain(Duration.ofSeconds(10)).highestMessageId();
        assertThat(lastSeen).as("the stalled client missed messages").isLessThan(posted.count());

        // the catch-up of the README: reconnect, subscribe, join, then fetch what came after
        StompTestClient back = StompTestClient.connect(this.port, Transport.WEBSOCKET, room.stalled);
        Subscription backEvents = back.subscribe(topic(room.name));
        back.send(join(room.name), Map.of());
        assertThat(backEvents.nextMatching(isType("JOIN")).get("user").asString())
                .isEqualTo(room.stalled.nickname());
        List<JsonNode> missed = historyAfter(room.name, lastSeen);

        assertThat(ids(missed)).as("history after id %d", lastSeen)
                .isEqualTo(LongStream.rangeClosed(lastSeen + 1, posted.count()).boxed().toList());
        assertThat(missed).allSatisfy(message -> {
            assertThat(message.get("sender").asString()).isEqualTo(room.sender.nickname());
            assertThat(message.get("text").asString()).isEqualTo(messageText(message.get("id").asInt()));
        });
    }

    private double cutOffs() {
        return this.meters.get("parley.slow.client.cutoffs").functionCounter().count();
    }

    // ------------------------------------------------------------------ the scene

    /**
     * A fresh room with three members: {@code watcher}, an ordinary client that reads; the
     * stalled client, which joined over a bare socket and then stopped reading; and
     * {@code sender}, which posts.
     */
    private Room roomWithStalledClient() {
        String name = ParleyApi.uniqueName("room");
        ParleyApi.Claim watcherClaim = this.api.claim(ParleyApi.uniqueName("watcher"));
        ParleyApi.Claim stalled = this.api.claim(ParleyApi.uniqueName("stalled"));
        ParleyApi.Claim senderClaim = this.api.claim(ParleyApi.uniqueName("sender"));

        StompTestClient watcher = StompTestClient.connect(this.port, Transport.WEBSOCKET, watcherClaim);
        Subscription watcherEvents = watcher.subscribe(topic(name));
        watcher.send(join(name), Map.of());
        watcherEvents.nextMatching(isJoinOf(watcherClaim.nickname()));

        RawStompSocket stalledSocket = RawStompSocket.connect(this.port, stalled, this.rawSockets);
        stalledSocket.send("SUBSCRIBE\nid:room\ndestination:" + topic(name) + "\n\n\0");
        stalledSocket.send("SEND\ndestination:" + join(name) + "\ncontent-type:application/json\n\n{}\0");
        RawFrame ownJoin = stalledSocket.next();
        assertThat(ownJoin.json().get("type").asString()).as("the stalled client's own JOIN: %s", ownJoin)
                .isEqualTo("JOIN");
        watcherEvents.nextMatching(isJoinOf(stalled.nickname()));
        // from here on, nothing reads the stalled socket until drain()

        StompTestClient sender = StompTestClient.connect(this.port, Transport.WEBSOCKET, senderClaim);
        Subscription senderErrors = sender.subscribe(ERRORS);
        sender.send(join(name), Map.of());
        watcherEvents.nextMatching(isJoinOf(senderClaim.nickname()));
        return new Room(name, watcherEvents, stalled, stalledSocket, sender, senderErrors);
    }

    /**
     * What a posting phase left behind.
     * @param count messages posted (their ids are 1 to count)
     * @param watcherSaw every event the watcher received meanwhile, in order
     */
    private record Posted(int count, List<JsonNode> watcherSaw) {
    }

    private record Room(String name, Subscription watcherEvents, ParleyApi.Claim stalled,
            RawStompSocket stalledSocket, StompTestClient sender, Subscription senderErrors) {

        /**
         * Posts rounds of long messages, each round once the watcher has the previous one, until
         * the room announces that the stalled client left; fails if that takes more than
         * {@code MOST_MESSAGES}, or longer than {@code CUT_OFF_BOUND} after the last round.
         * How much it takes depends on the kernel's socket buffers, which the server cannot see.
         */
        Posted postUntilStalledClientLeaves() {
            Predicate<JsonNode> stalledLeft = isLeaveOf(this.stalled.nickname());
            List<JsonNode> seen = new ArrayList<>();
            int posted = 0;
            while (seen.stream().noneMatch(stalledLeft) && posted < MOST_MESSAGES) {
                for (int i = 0; i < ROUND; i++) {
                    posted++;
                    this.sender.send(send(this.name), Map.of("text", messageText(posted), "clientId", "m" + posted));
                }
                seen.addAll(this.watcherEvents.takeUntil(isMessageWithId(posted)));
            }
            if (seen.stream().noneMatch(stalledLeft)) {
                await("LEAVE of the stalled client, after " + posted + " messages of about 8 KB")
                        .atMost(CUT_OFF_BOUND)
                        .until(() -> this.watcherEvents.messages().stream().anyMatch(stalledLeft));
                this.watcherEvents.messages().drainTo(seen);
            }
            return new Posted(posted, seen);
        }
    }

    /** The text of message {@code id}: 2000 code points, 8 KB in UTF-8, saying which message it is. */
    private static String messageText(int id) {
        String prefix = "m" + id + ":";
        return prefix + WIDE_CHARACTER.repeat(TEXT_LENGTH - prefix.length());
    }

    private List<JsonNode> historyAfter(String room, long after) {
        List<JsonNode> messages = new ArrayList<>();
        long cursor = after;
        while (true) {
            ParleyApi.Response response = this.api.get("/api/rooms/" + room + "/messages?after=" + cursor + "&limit=200");
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            List<JsonNode> page = List.copyOf(response.json().values());
            messages.addAll(page);
            if (page.size() < 200) {
                return messages;
            }
            cursor = page.get(page.size() - 1).get("id").asLong();
        }
    }

    private static List<Long> ids(List<JsonNode> events) {
        return events.stream().filter(isType("MESSAGE")).map(event -> event.get("id").asLong()).toList();
    }

    private static Predicate<JsonNode> isType(String type) {
        return event -> type.equals(event.path("type").asString());
    }

    private static Predicate<JsonNode> isMessageWithId(long id) {
        return event -> "MESSAGE".equals(event.path("type").asString()) && event.path("id").asLong(0) == id;
    }

    private static Predicate<JsonNode> isJoinOf(String nickname) {
        return event -> "JOIN".equals(event.path("type").asString()) && nickname.equals(event.path("user").asString());
    }

    private static Predicate<JsonNode> isLeaveOf(String nickname) {
        return event -> "LEAVE".equals(event.path("type").asString())
                && nickname.equals(event.path("user").asString());
    }
}
