package dev.parley.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.micrometer.core.instrument.MeterRegistry;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
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
import dev.parley.support.RawFrame;
import dev.parley.support.StompTestClient;

import org.springframework.context.ApplicationContext;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.broker.SimpleBrokerMessageHandler;
import org.springframework.messaging.simp.user.SimpUser;
import org.springframework.messaging.simp.user.SimpUserRegistry;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.test.context.TestContextManager;
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
 * A jqwik property: each try is one {@link FrontDoorCase} from {@link FrontDoorCases}, on a
 * connection of its own; a failing case is shrunk to a smaller one and printed with its seed.
 * {@code -Dfuzz.tries=N} runs N cases (default {@value #DEFAULT_TRIES}), {@code -Dfuzz.seed=S}
 * repeats a run. The application is the shared context of every {@link ParleyIntegrationTest}
 * class, started through Spring's {@link TestContextManager} (jqwik does not run JUnit Jupiter's
 * extensions).
 */
@ParleyIntegrationTest
class StompFrontDoorFuzzIntegrationTests {

    static final int DEFAULT_TRIES = 1500;

    /** How long a case's answers, its close and its clean-up may take. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

    /** The well-behaved client's echo, generously: it may slow down while fuzzed, not stop. */
    private static final Duration ECHO_BOUND = Duration.ofSeconds(5);

    /** Server threads beyond the baseline that the run may leave (Tomcat keeps idle workers for a minute). */
    private static final int THREAD_SLACK = 25;

    private static final byte[] OVERFLOW = "x".repeat(70 * 1024).getBytes(StandardCharsets.US_ASCII);

    private static TestContextManager testContext;

    private static ApplicationContext context;

    private static int port;

    private static ParleyApi.Claim fuzzer;

    private static SteadyClient steady;

    private static int baselineConnections;

    private static int baselineThreads;

    private static final LogWatch logs = new LogWatch();

    /** Milliseconds per case, by transport. */
    private static final Map<Transport, java.util.LongSummaryStatistics> durations = new java.util.EnumMap<>(Transport.class);

    @BeforeContainer
    static void startApplication() throws Exception {
        testContext = new TestContextManager(StompFrontDoorFuzzIntegrationTests.class);
        testContext.beforeTestClass();
        context = testContext.getTestContext().getApplicationContext();
        port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        ParleyApi api = new ParleyApi(port);
        fuzzer = api.claim(ParleyApi.uniqueName("fuzzer"));
        steady = new SteadyClient(api.claim(ParleyApi.uniqueName("steady")), ParleyApi.uniqueName("steady"));
        // what the server holds without the fuzzing: the steady client, and whatever earlier
        // classes of the shared context still hold while it goes
        try {
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                .until(StompFrontDoorFuzzIntegrationTests::connections, count -> count <= 1);
        }
        catch (org.awaitility.core.ConditionTimeoutException ex) {
            System.out.println("[fuzz] connections of earlier tests still open: " + (connections() - 1));
        }
        baselineConnections = connections();
        baselineThreads = serverThreads();
        steady.measureBefore(20);
        steady.start();
        logs.start();
    }

    @AfterContainer
    static void checkTheServerIsAsBefore() throws Exception {
        try {
            logs.stop();
            steady.stop();
            synchronized (durations) {
                System.out.println("[fuzz] cases by transport: " + durations);
            }
            System.out.println("[fuzz] steady client echo round trips: before fuzzing " + steady.before()
                    + "; during fuzzing " + steady.during());
            System.out.println("[fuzz] server log lines at WARN or above: " + logs.summary());
            assertThat(steady.failures()).as("the steady client's echoes (each within %s)", ECHO_BOUND).isEmpty();
            assertThat(steady.duringCount()).as("echoes during the fuzzing").isPositive();
            assertThat(new ParleyApi(port).get("/actuator/health").json().path("status").asString())
                .as("health after the fuzzing").isEqualTo("UP");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(connections()).as("open connections (parley.connections) against %d before",
                        baselineConnections).isLessThanOrEqualTo(baselineConnections);
                assertThat(springSessions()).as("Spring's open WebSocket and SockJS sessions")
                    .isLessThanOrEqualTo(baselineConnections);
                assertThat(sessionsOf(fuzzer.nickname())).as("the fuzzing nickname's STOMP sessions").isZero();
                assertThat(serverThreads()).as("live threads against %d before", baselineThreads)
                    .isLessThanOrEqualTo(baselineThreads + THREAD_SLACK);
            });
            System.out.println("[fuzz] connections " + baselineConnections + " before, " + connections()
                    + " after; live threads " + baselineThreads + " before, " + serverThreads() + " after");
            assertThat(logs.unexpected()).as("server log lines of exceptions nothing handled").isEmpty();
        }
        finally {
            steady.close();
            testContext.afterTestClass();
        }
    }

    @Property(tries = DEFAULT_TRIES)
    @AddLifecycleHook(FuzzSettings.class)
    void everyCaseIsAnsweredAndLeavesNothingBehind(@ForAll("cases") FrontDoorCase fuzzCase) {
        run(fuzzCase);
    }

    @Provide
    Arbitrary<FrontDoorCase> cases() {
        return FrontDoorCases.cases();
    }

    // ------------------------------------------------------------------ running one case

    private static void run(FrontDoorCase fuzzCase) {
        long start = System.nanoTime();
        try {
            runCase(fuzzCase);
        }
        finally {
            synchronized (durations) {
                durations.computeIfAbsent(fuzzCase.transport(), transport -> new java.util.LongSummaryStatistics())
                    .accept(Duration.ofNanos(System.nanoTime() - start).toMillis());
            }
        }
    }

    private static void runCase(FrontDoorCase fuzzCase) {
        String room = ParleyApi.uniqueName("fuzz");
        Verdict verdict = fuzzCase.verdict();
        List<Message> messages = fuzzCase.messages(fuzzer.nickname(), fuzzer.token(), room);
        FrontDoorClient client;
        try {
            client = FrontDoorClient.open(fuzzCase.transport(), port);
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
    private static void awaitNothingLeft(String room) {
        await().atMost(ANSWER_TIMEOUT).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
            assertThat(sessionsOf(fuzzer.nickname())).as("STOMP sessions of the fuzzing nickname").isZero();
            assertThat(context.getBean(Presence.class).users(new RoomName(room))).as("online in %s", room).isEmpty();
            assertThat(subscribersOf(room)).as("subscriptions to %s", topic(room)).isZero();
            assertThat(connections()).as("open connections against %d before", baselineConnections)
                .isLessThanOrEqualTo(baselineConnections);
        });
    }

    // ------------------------------------------------------------------ what the server holds

    static int connections() {
        return (int) context.getBean(MeterRegistry.class).get("parley.connections").gauge().value();
    }

    private static SubProtocolWebSocketHandler.Stats springStats() {
        return context.getBean("subProtocolWebSocketHandler", SubProtocolWebSocketHandler.class).getStats();
    }

    static int springSessions() {
        SubProtocolWebSocketHandler.Stats stats = springStats();
        return stats.getWebSocketSessions() + stats.getHttpStreamingSessions() + stats.getHttpPollingSessions();
    }

    private static int sessionsOf(String nickname) {
        SimpUser user = context.getBean(SimpUserRegistry.class).getUser(nickname);
        return (user != null) ? user.getSessions().size() : 0;
    }

    private static int subscribersOf(String room) {
        SimpMessageHeaderAccessor accessor = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
        accessor.setDestination(topic(room));
        SimpleBrokerMessageHandler broker = context.getBean(SimpleBrokerMessageHandler.class);
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

    // ------------------------------------------------------------------ settings, logs, the steady client

    /** {@code -Dfuzz.tries} and {@code -Dfuzz.seed}; prints the seed of every run. */
    static final class FuzzSettings implements AroundPropertyHook {

        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            Integer tries = Integer.getInteger("fuzz.tries");
            if (tries != null) {
                context.attributes().setTries(tries);
            }
            String seed = System.getProperty("fuzz.seed");
            if (seed != null && !seed.isBlank()) {
                context.attributes().setSeed(seed);
            }
            long start = System.nanoTime();
            PropertyExecutionResult result = property.execute();
            System.out.printf("[fuzz] %s: %s in %d s, seed %s (repeat with -Dfuzz.seed=%s)%n",
                    context.label(), result.status(), Duration.ofNanos(System.nanoTime() - start).toSeconds(),
                    result.seed().orElse("?"), result.seed().orElse("?"));
            return result;
        }
    }

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
                "org.springframework.web.socket.sockjs.transport.session.WebSocketServerSockJsSession", "Broken data received");

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
                    .anyMatch(known -> logger.equals(known.getKey().replace("#unknown", ""))
                            && message.startsWith(known.getValue())
                            && (!known.getKey().endsWith("#unknown") || message.contains(":Unknown session: ")));
                if ((event.getLevel() == Level.ERROR && !clientBytesReported) || logger.startsWith("dev.parley")) {
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
    static final class SteadyClient implements AutoCloseable {

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
            this.client = StompTestClient.connect(port, StompTestClient.Transport.WEBSOCKET, claim);
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

    /** Unused by the property; a readable label of a piece for the examples below. */
    static Piece piece(String label, Kind kind, String text) {
        return Piece.of(label, kind, text);
    }

    static Outcome outcomeOf(FrontDoorCase fuzzCase) {
        return fuzzCase.verdict().outcome();
    }

    @Example
    void placeholderExample() {
        // replaced by the regression examples of the bugs the fuzzing finds
    }
}
