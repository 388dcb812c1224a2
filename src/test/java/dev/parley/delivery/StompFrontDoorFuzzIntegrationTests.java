package dev.parley.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import dev.parley.core.RoomName;
import dev.parley.delivery.FrontDoorCase.Ending;
import dev.parley.delivery.FrontDoorCase.Kind;
import dev.parley.delivery.FrontDoorCase.Message;
import dev.parley.delivery.FrontDoorCase.Outcome;
import dev.parley.delivery.FrontDoorCase.Piece;
import dev.parley.delivery.FrontDoorCase.Verdict;
import dev.parley.delivery.FrontDoorClient.Style;
import dev.parley.delivery.FrontDoorClient.Transport;
import dev.parley.presence.Presence;
import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.RawFrame;
import dev.parley.support.StompTestClient;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.broker.SimpleBrokerMessageHandler;
import org.springframework.messaging.simp.user.SimpUser;
import org.springframework.messaging.simp.user.SimpUserRegistry;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

import static dev.parley.support.Destinations.ERRORS;
import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The STOMP front door takes whatever a client sends, over every way in, and answers each
 * connection (CONNECTED and RECEIPTs for valid frames, an ERROR frame and the close for what the
 * contract refuses, or at least the close), without a thread stuck, a session, subscription or
 * presence left behind, or an exception escaping; a well-behaved client on another connection
 * keeps chatting throughout.
 * <p>
 * Each case is a {@link FrontDoorCase} from {@link FrontDoorCases}, on a connection of its own,
 * drawn from a seed that the run prints: {@code -Dfuzz.tries=N} runs N cases (default
 * {@value #DEFAULT_TRIES}), {@code -Dfuzz.seed=S} repeats a run, {@code -Dfuzz.seed=random} draws new cases. A failing case is shrunk (its
 * pieces and cuts left out one at a time while it still fails) and reported with its seed. The
 * cases that found bugs stay below as examples.
 */
@ParleyIntegrationTest
class StompFrontDoorFuzzIntegrationTests extends ParleyIntegrationTestBase {

    static final int DEFAULT_TRIES = 1000;

    /** How long a case's answers, its close and its clean-up may take. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

    /** The well-behaved client's echo, generously: it may slow down while fuzzed, not stop. */
    private static final Duration ECHO_BOUND = Duration.ofSeconds(5);

    /** Server threads beyond the baseline that the run may leave (Tomcat keeps idle workers for a minute). */
    private static final int THREAD_SLACK = 25;

    /** Runs of a shrunk variant of a failing case, at most. */
    private static final int SHRINK_RUNS = 30;

    /**
     * The build's cases: the same every run, so that a build fails for a change of the server's
     * and not for a case drawn that day whose expected answer the generator states too strictly
     * (two such were found and mended in the generator). New cases: {@code -Dfuzz.seed=random}.
     */
    static final long DEFAULT_SEED = 4865202264012629564L;

    private static final byte[] OVERFLOW = "x".repeat(70 * 1024).getBytes(StandardCharsets.US_ASCII);

    @Autowired
    private ApplicationContext context;

    private ParleyApi.Claim fuzzer;

    private int baselineConnections;

    /** Milliseconds per case, by transport. */
    private final Map<Transport, java.util.LongSummaryStatistics> durations = new java.util.EnumMap<>(Transport.class);

    @BeforeEach
    void claimTheFuzzingNickname() {
        this.fuzzer = this.api.claim(ParleyApi.uniqueName("fuzzer"));
    }

    @Test
    void generatedFramesAreAnsweredAndLeaveNothingBehindWhileAnotherClientChats() throws Exception {
        String seedProperty = System.getProperty("fuzz.seed", Long.toString(DEFAULT_SEED));
        long seed = "random".equals(seedProperty) ? new java.security.SecureRandom().nextLong()
                : Long.parseLong(seedProperty);
        int tries = Integer.getInteger("fuzz.tries", DEFAULT_TRIES);
        System.out.printf("[fuzz] %d cases from seed %d (repeat with -Dfuzz.seed=%d)%n", tries, seed, seed);
        LogWatch logs = new LogWatch();
        try (SteadyClient steady = new SteadyClient(this.api.claim(ParleyApi.uniqueName("steady")),
                ParleyApi.uniqueName("steady"))) {
            this.baselineConnections = awaitBaseline();
            int baselineThreads = serverThreads();
            steady.measureBefore(20);
            steady.start();
            logs.start();
            long start = System.nanoTime();
            try {
                for (int i = 0; i < tries; i++) {
                    long caseSeed = seed + i;
                    FrontDoorCase fuzzCase = FrontDoorCases.next(new Random(caseSeed));
                    try {
                        run(fuzzCase);
                    }
                    catch (AssertionError | RuntimeException ex) {
                        throw new AssertionError("Case " + i + " of seed " + seed + " (-Dfuzz.seed=" + seed + ") failed: "
                                + fuzzCase + "\nshrunk: " + shrink(fuzzCase) + "\n" + ex.getMessage(), ex);
                    }
                }
            }
            finally {
                logs.stop();
                steady.stop();
                System.out.printf("[fuzz] %d cases in %d s; by transport, ms: %s%n", tries,
                        Duration.ofNanos(System.nanoTime() - start).toSeconds(), this.durations);
                System.out.println("[fuzz] steady client echo round trips: before fuzzing " + steady.before()
                        + "; during fuzzing " + steady.during());
                System.out.println("[fuzz] server log lines at WARN or above: " + logs.summary());
            }
            assertThat(steady.failures()).as("the steady client's echoes (each within %s)", ECHO_BOUND).isEmpty();
            assertThat(steady.duringCount()).as("echoes during the fuzzing").isPositive();
            assertThat(this.api.get("/actuator/health").json().path("status").asString())
                .as("health after the fuzzing").isEqualTo("UP");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(connections()).as("open connections (the engine's registry) against %d before",
                        this.baselineConnections).isLessThanOrEqualTo(this.baselineConnections);
                assertThat(springSessions()).as("Spring's open WebSocket and SockJS sessions (%s)", springStats())
                    .isLessThanOrEqualTo(this.baselineConnections);
                assertThat(sessionsOf(this.fuzzer.nickname())).as("the fuzzing nickname's STOMP sessions").isZero();
                assertThat(serverThreads()).as("live threads against %d before", baselineThreads)
                    .isLessThanOrEqualTo(baselineThreads + THREAD_SLACK);
            });
            System.out.println("[fuzz] connections " + this.baselineConnections + " before, " + connections()
                    + " after; live threads " + baselineThreads + " before, " + serverThreads() + " after");
            assertThat(logs.unexpected()).as("server log lines of exceptions nothing handled").isEmpty();
        }
    }

    // ------------------------------------------------------------------ the cases that found bugs

    /**
     * A frame of 6,000 short headers (59 KB, under the 64 KiB limit) arriving over plain WebSocket
     * in the container's parts of 256 chars: Spring's decoder parsed it again at every part, 1.8
     * to 3.3 s of the server's CPU on the thread reading frames, while the steady client's echoes
     * took up to 0.9 s. Parsed once now ({@code CompleteFramesDecoderTests} proves that without
     * a clock); here, that it is answered like any other frame.
     */
    @Test
    void frameOfThousandsOfHeadersInPartsIsAnsweredLikeAnyOther() {
        this.baselineConnections = awaitBaseline();
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 6_000; i++) {
            headers.append("x-h").append(i).append(":v\n");
        }
        run(new FrontDoorCase(Transport.WEBSOCKET, Style.TEXT, List.of(
                Piece.of("connect", Kind.CONNECT, "CONNECT\naccept-version:1.2\nlogin:{login}\npasscode:{passcode}\n\n\0"),
                Piece.of("send-with-6000-headers", Kind.FRAME, "SEND\ndestination:/app/room.{room}.typing\n" + headers
                        + "receipt:{receipt}\n\n{\"typing\":false}\0")),
                List.of(), Ending.ABORT));
    }

    /**
     * Frames after a refused one in the same WebSocket message: Spring goes on with the message's
     * frames after the refusal has begun to close the connection; whatever they register must go
     * with the connection. (A subscription left behind for a closed connection was seen once in
     * the fuzzing, not reproduced by this example; see the class's history.)
     */
    @Test
    void framesAfterARefusedOneInTheSameMessageLeaveNothingBehind() {
        this.baselineConnections = awaitBaseline();
        for (Transport transport : Transport.values()) {
            run(new FrontDoorCase(transport, Style.TEXT, List.of(
                    Piece.of("connect", Kind.CONNECT, "CONNECT\naccept-version:1.2\nlogin:{login}\npasscode:{passcode}\n\n\0"),
                    Piece.of("subscribe /topic/other", Kind.FORBIDDEN, "SUBSCRIBE\nid:f\ndestination:/topic/other\n\n\0"),
                    Piece.of("subscribe-room", Kind.FRAME, "SUBSCRIBE\nid:room\ndestination:/topic/room.{room}\n\n\0"),
                    Piece.of("join", Kind.FRAME, "SEND\ndestination:/app/room.{room}.join\n\n{}\0")),
                    List.of(), Ending.ABORT));
        }
    }

    /**
     * What the server holds without the fuzzing: the steady client, and whatever earlier classes
     * of the shared context still hold while it goes (a SockJS session over HTTP lingers a few seconds).
     */
    private int awaitBaseline() {
        try {
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                .until(this::connections, count -> count <= 1);
        }
        catch (org.awaitility.core.ConditionTimeoutException ex) {
            System.out.println("[fuzz] connections of earlier tests still open: " + (connections() - 1));
        }
        return connections();
    }

    /**
     * A smaller case that fails too: each piece, then each cut, left out while the case still
     * fails. Good enough to read; the original case is reported beside it.
     */
    private FrontDoorCase shrink(FrontDoorCase failing) {
        FrontDoorCase smallest = failing;
        int runs = 0;
        boolean smaller = true;
        while (smaller && runs < SHRINK_RUNS) {
            smaller = false;
            List<FrontDoorCase> candidates = new ArrayList<>();
            for (int i = 0; i < smallest.pieces().size(); i++) {
                List<Piece> pieces = new ArrayList<>(smallest.pieces());
                pieces.remove(i);
                candidates.add(new FrontDoorCase(smallest.transport(), smallest.style(), pieces, smallest.cuts(),
                        smallest.ending()));
            }
            for (int i = 0; i < smallest.cuts().size(); i++) {
                List<Integer> cuts = new ArrayList<>(smallest.cuts());
                cuts.remove(i);
                candidates.add(new FrontDoorCase(smallest.transport(), smallest.style(), smallest.pieces(), cuts,
                        smallest.ending()));
            }
            for (FrontDoorCase candidate : candidates) {
                if (runs++ >= SHRINK_RUNS) {
                    break;
                }
                try {
                    run(candidate);
                }
                catch (AssertionError | RuntimeException ex) {
                    smallest = candidate;
                    smaller = true;
                    break;
                }
            }
        }
        return smallest;
    }

    // ------------------------------------------------------------------ running one case

    private void run(FrontDoorCase fuzzCase) {
        long start = System.nanoTime();
        try {
            runCase(fuzzCase);
        }
        finally {
            synchronized (this.durations) {
                this.durations.computeIfAbsent(fuzzCase.transport(), transport -> new java.util.LongSummaryStatistics())
                    .accept(Duration.ofNanos(System.nanoTime() - start).toMillis());
            }
        }
    }

    private void runCase(FrontDoorCase fuzzCase) {
        String room = ParleyApi.uniqueName("fuzz");
        Verdict verdict = fuzzCase.verdict();
        List<Message> messages = fuzzCase.messages(this.fuzzer.nickname(), this.fuzzer.token(), room);
        FrontDoorClient client;
        try {
            client = FrontDoorClient.open(fuzzCase.transport(), this.port);
        }
        catch (java.io.IOException ex) {
            throw new AssertionError("Cannot open " + fuzzCase.transport(), ex);
        }
        try {
            for (Message message : messages) {
                if (!deliver(client, fuzzCase, message)) {
                    break;
                }
            }
            judge(fuzzCase, verdict, client);
            end(fuzzCase, client);
            long brokenSockJs = messages.stream().filter(message -> message.outOfBand() == Kind.BROKEN_SOCKJS).count();
            assertThat(client.notes().stream().filter(note -> note.startsWith("xhr_send answered 5")).count())
                .as("xhr_send answered 5xx (SockJS's answer to broken JSON only); %s", client.transcript())
                .isLessThanOrEqualTo(brokenSockJs);
        }
        finally {
            client.abort();
        }
        awaitNothingLeft(room);
    }

    private static boolean deliver(FrontDoorClient client, FrontDoorCase fuzzCase, Message message) {
        if (message.outOfBand() == Kind.BROKEN_WEBSOCKET) {
            return client.sendRawFrame(message.bytes());
        }
        if (message.outOfBand() == Kind.BROKEN_SOCKJS) {
            return client.sendSockJs(message.bytes());
        }
        return client.send(message.bytes(), fuzzCase.style());
    }

    /** What the contract demands of the answers, as far as the case's verdict is certain. */
    private static void judge(FrontDoorCase fuzzCase, Verdict verdict, FrontDoorClient client) {
        switch (verdict.outcome()) {
            case ACCEPTED -> {
                for (String answer : verdict.answers()) {
                    RawFrame frame = client.awaitFrame(isAnswer(answer), ANSWER_TIMEOUT);
                    assertThat(frame).as("answer %s to a valid case; %s", answer, client.transcript()).isNotNull();
                }
                assertThat(client.frames()).as("ERROR frames in a valid case; %s", client.transcript())
                    .noneMatch(frame -> frame.command().equals("ERROR"));
                assertThat(client.isClosed()).as("closed in a valid case; %s", client.transcript()).isFalse();
            }
            case REFUSED_WITH_ERROR -> {
                assertThat(client.awaitClosed(ANSWER_TIMEOUT))
                    .as("closed after piece %d; %s", verdict.decidingPiece(), client.transcript()).isTrue();
                assertThat(client.frames()).as("an ERROR frame before the close; %s", client.transcript())
                    .anyMatch(frame -> frame.command().equals("ERROR"));
            }
            case CLOSED -> assertThat(client.awaitClosed(ANSWER_TIMEOUT))
                .as("closed after piece %d; %s", verdict.decidingPiece(), client.transcript()).isTrue();
            case EITHER -> {
                // any answer: the ending below proves the connection is still served
            }
        }
    }

    private static Predicate<RawFrame> isAnswer(String answer) {
        if (answer.equals(Verdict.CONNECTED)) {
            return frame -> frame.command().equals("CONNECTED");
        }
        return frame -> frame.command().equals("RECEIPT") && answer.equals(frame.headers().get("receipt-id"));
    }

    /**
     * Ends a connection the server has not closed: drops it, or sends 70 KiB without a NUL, which
     * the server must refuse whatever state the connection is in, and close.
     */
    private static void end(FrontDoorCase fuzzCase, FrontDoorClient client) {
        if (client.isClosed()) {
            return;
        }
        if (fuzzCase.ending() == Ending.ABORT && !fuzzCase.transport().isXhr()) {
            client.abort();
            return;
        }
        client.send(OVERFLOW, Style.TEXT);
        assertThat(client.awaitClosed(ANSWER_TIMEOUT)).as("closed after 70 KiB without a NUL; %s", client.transcript())
            .isTrue();
    }

    /** Nothing of the case stays: no connection, STOMP session, presence or subscription. */
    private void awaitNothingLeft(String room) {
        await().atMost(ANSWER_TIMEOUT).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
            assertThat(sessionsOf(this.fuzzer.nickname())).as("STOMP sessions of the fuzzing nickname").isZero();
            assertThat(this.context.getBean(Presence.class).users(new RoomName(room))).as("online in %s", room).isEmpty();
            assertThat(subscribersOf(room)).as("subscriptions to %s", topic(room)).isZero();
            assertThat(connections()).as("open connections against %d before", this.baselineConnections)
                .isLessThanOrEqualTo(this.baselineConnections);
        });
    }

    // ------------------------------------------------------------------ what the server holds

    private int connections() {
        return this.context.getBean(StompBrokerConfiguration.class).openConnections();
    }

    private SubProtocolWebSocketHandler.Stats springStats() {
        return this.context.getBean("subProtocolWebSocketHandler", SubProtocolWebSocketHandler.class).getStats();
    }

    private int springSessions() {
        SubProtocolWebSocketHandler.Stats stats = springStats();
        return stats.getWebSocketSessions() + stats.getHttpStreamingSessions() + stats.getHttpPollingSessions();
    }

    private int sessionsOf(String nickname) {
        SimpUser user = this.context.getBean(SimpUserRegistry.class).getUser(nickname);
        return (user != null) ? user.getSessions().size() : 0;
    }

    private int subscribersOf(String room) {
        SimpMessageHeaderAccessor accessor = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
        accessor.setDestination(topic(room));
        SimpleBrokerMessageHandler broker = this.context.getBean(SimpleBrokerMessageHandler.class);
        return broker.getSubscriptionRegistry()
            .findSubscriptions(MessageBuilder.createMessage(new byte[0], accessor.getMessageHeaders()))
            .size();
    }

    /** Live threads of this JVM but the test's own clients'. */
    static int serverThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter(name -> !name.startsWith(FrontDoorClient.READER_THREAD_PREFIX) && !name.startsWith("HttpClient-"))
            .count();
    }

    // ------------------------------------------------------------------ logs, the steady client

    /**
     * The server's log lines at WARN and above while the cases run, and among them those that
     * show an exception escaping: to Tomcat, to a thread's end, or to the error page.
     */
    static final class LogWatch extends AppenderBase<ILoggingEvent> {

        /**
         * Spring's ERROR lines about bytes a client sent that it could not read, after which it
         * answers as the protocol says (STOMP ERROR and close; SockJS 500 or close): noise a
         * client can cause, not a failure of the server. Keyed by logger, valued by how the line starts.
         */
        private static final Map<String, String> CLIENT_BYTES_REPORTED = Map.of(
                "org.springframework.web.socket.messaging.StompSubProtocolHandler", "Failed to parse",
                // a frame before CONNECT; other failures of the inbound channel are not the client's
                "org.springframework.web.socket.messaging.StompSubProtocolHandler#unknown", "Failed to send message to MessageChannel",
                "org.springframework.web.socket.sockjs.transport.handler.XhrReceivingTransportHandler", "Failed to read message",
                "org.springframework.web.socket.sockjs.transport.session.WebSocketServerSockJsSession", "Broken data received",
                // SUBSCRIBE or UNSUBSCRIBE without an id, which the broker ignores (see the report of issue 21)
                "org.springframework.messaging.simp.broker.DefaultSubscriptionRegistry", "No subscriptionId",
                // a SUBSCRIBE with an empty destination: Spring publishes its event before the
                // CONNECT gate refuses it, and its user registry throws on the empty destination
                "org.springframework.web.socket.messaging.StompSubProtocolHandler#empty", "Error publishing SessionSubscribeEvent",
                // a third CONNECT after a second refused one, in one message: the connection is closing
                "dev.parley.delivery.broker.FanOutBroker", "Ignoring CONNECT in session");

        private final ConcurrentLinkedQueue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();

        @Override
        public void start() {
            Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            setContext(root.getLoggerContext());
            super.start();
            root.addAppender(this);
        }

        @Override
        public void stop() {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(this);
            super.stop();
        }

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
                this.events.add(event);
            }
        }

        Map<String, Integer> summary() {
            Map<String, Integer> counts = new TreeMap<>();
            for (ILoggingEvent event : this.events) {
                String message = event.getFormattedMessage();
                String key = event.getLevel() + " " + event.getLoggerName() + ": "
                        + message.substring(0, Math.min(90, message.length())).replaceAll("[0-9a-f]{6,}", "…");
                counts.merge(key, 1, Integer::sum);
            }
            return counts;
        }

        /**
         * ERROR lines but Spring's reports of a client's unreadable bytes, and Parley's own
         * warnings: an exception that escaped to the container, a thread's end or a decorator
         * that closes the session for it.
         */
        List<String> unexpected() {
            List<String> unexpected = new ArrayList<>();
            for (ILoggingEvent event : this.events) {
                String logger = event.getLoggerName();
                String message = event.getFormattedMessage();
                boolean clientBytesReported = CLIENT_BYTES_REPORTED.entrySet().stream()
                    .anyMatch(known -> logger.equals(known.getKey().replaceFirst("#.*", ""))
                            && message.startsWith(known.getValue())
                            && (!known.getKey().endsWith("#unknown") || message.contains(":Unknown session: "))
                            && (!known.getKey().endsWith("#empty") || message.contains("destination=[]")));
                if (!clientBytesReported && (event.getLevel() == Level.ERROR || logger.startsWith("dev.parley"))) {
                    unexpected.add(event.getLevel() + " " + logger + ": " + message
                            + ((event.getThrowableProxy() != null) ? " (" + event.getThrowableProxy().getClassName() + ")" : ""));
                }
            }
            return unexpected;
        }
    }

    /**
     * A well-behaved client on its own connection: claimed, connected, subscribed, joined; it
     * sends a message every quarter of a second (under the rate limit) and times its echo.
     */
    final class SteadyClient implements AutoCloseable {

        private static final Duration PERIOD = Duration.ofMillis(250);

        private final StompTestClient client;

        private final StompTestClient.Subscription events;

        private final String room;

        private final List<Long> before = new ArrayList<>();

        private final List<Long> during = Collections.synchronizedList(new ArrayList<>());

        private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

        private volatile boolean running;

        private Thread thread;

        private int sequence;

        SteadyClient(ParleyApi.Claim claim, String room) {
            this.room = room;
            this.client = StompTestClient.connect(StompFrontDoorFuzzIntegrationTests.this.port,
                    StompTestClient.Transport.WEBSOCKET, claim);
            this.events = this.client.subscribe(topic(room));
            this.client.subscribe(ERRORS);
            this.client.send(join(room), Map.of());
            this.events.nextMatching(event -> "JOIN".equals(event.path("type").asString()));
        }

        void measureBefore(int count) {
            for (int i = 0; i < count; i++) {
                this.before.add(roundTrip());
                pause();
            }
        }

        void start() {
            this.running = true;
            this.thread = new Thread(() -> {
                while (this.running) {
                    try {
                        this.during.add(roundTrip());
                    }
                    catch (AssertionError | RuntimeException ex) {
                        this.failures.add(ex.getMessage());
                    }
                    pause();
                }
            }, "fuzz-steady-client");
            this.thread.setDaemon(true);
            this.thread.start();
        }

        /** Nanoseconds from the SEND to its echo. */
        private long roundTrip() {
            String text = "steady " + (++this.sequence);
            long start = System.nanoTime();
            this.client.send(send(this.room), Map.of("text", text));
            JsonNode echo = this.events.nextMatching(event -> text.equals(event.path("text").asString()), ECHO_BOUND);
            assertThat(echo.path("type").asString()).isEqualTo("MESSAGE");
            return System.nanoTime() - start;
        }

        private void pause() {
            // a rate, not a synchronisation: the client posts four times a second
            try {
                Thread.sleep(PERIOD.toMillis());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() throws InterruptedException {
            this.running = false;
            if (this.thread != null) {
                this.thread.join(ECHO_BOUND.plus(PERIOD).toMillis() * 2);
            }
        }

        List<String> failures() {
            return List.copyOf(this.failures);
        }

        int duringCount() {
            return this.during.size();
        }

        String before() {
            return describe(this.before);
        }

        String during() {
            synchronized (this.during) {
                return describe(this.during);
            }
        }

        private static String describe(List<Long> nanos) {
            if (nanos.isEmpty()) {
                return "none";
            }
            List<Long> sorted = new ArrayList<>(nanos);
            Collections.sort(sorted);
            return String.format("n=%d median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", sorted.size(),
                    millis(sorted, 0.5), millis(sorted, 0.9), millis(sorted, 0.99), sorted.get(sorted.size() - 1) / 1e6);
        }

        private static double millis(List<Long> sorted, double quantile) {
            return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(quantile * sorted.size()))) / 1e6;
        }

        @Override
        public void close() {
            this.client.close();
        }
    }
}
