package dev.parley.delivery.broker;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.parley.core.Destinations;
import dev.parley.delivery.session.ClientSessionDecorator;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.simp.broker.SimpleBrokerMessageHandler;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.messaging.support.NativeMessageHeaderAccessor;
import org.springframework.util.MultiValueMap;

/**
 * Spring's simple broker, with one change to how a {@code /topic} message reaches its
 * subscribers: its STOMP frame is encoded once ({@link SharedMessageFrame}) and queued straight
 * on each subscriber's connection ({@link ClientSessionDecorator}), on the publishing thread.
 * <p>
 * Spring's broker builds a message with a copy of the headers for every subscriber and passes it
 * through the outbound channel, where the STOMP handler copies the headers again, encodes the
 * frame and turns its bytes into a {@code String} that the container encodes back into bytes:
 * at 500 subscribers per message, that was about half of the server's CPU. Subscriptions,
 * heart-beats and every other destination (user queues, replies) stay Spring's.
 * <p>
 * A shared frame is not a write Spring's broker sees: {@code QuietHeartbeatInterceptor} drops
 * the heart-beat of a connection written to within the interval and tells the broker of that
 * write ({@link #wroteAt}), so a busy client gets no heart-beat newlines.
 * <p>
 * Reaches into Spring's broker for one thing: its record of each session's last write and read,
 * which its heart-beat check reads and nothing public sets but a message through the broker
 * ({@link #wroteAt}, {@link #clientHeartbeat}). When Spring's internals differ from what is looked
 * up, a WARN at start-up says so; then the broker makes a heart-beat message for every connection
 * at each check, as Spring's does, and a client's heart-beat is a message to the broker.
 */
public final class FanOutBroker extends SimpleBrokerMessageHandler {

    private static final Logger logger = LoggerFactory.getLogger(FanOutBroker.class);

    /** {@code SimpleBrokerMessageHandler.sessions}, or {@code null} if not found. */
    private static final @Nullable Field SESSIONS;

    /** {@code SimpleBrokerMessageHandler.SessionInfo.setLastWriteTime(long)}, or {@code null}. */
    private static final @Nullable Method SET_LAST_WRITE_TIME;

    /** {@code SimpleBrokerMessageHandler.SessionInfo.setLastReadTime(long)}, or {@code null}. */
    private static final @Nullable Method SET_LAST_READ_TIME;

    /** Why the two were not found, for the WARN. */
    private static final @Nullable String LOOKUP_FAILURE;

    static {
        Field sessions = null;
        Method setLastWriteTime = null;
        Method setLastReadTime = null;
        String failure = null;
        try {
            sessions = SimpleBrokerMessageHandler.class.getDeclaredField("sessions");
            sessions.setAccessible(true);
            Class<?> info = Class.forName(SimpleBrokerMessageHandler.class.getName() + "$SessionInfo");
            setLastWriteTime = info.getDeclaredMethod("setLastWriteTime", long.class);
            setLastWriteTime.setAccessible(true);
            setLastReadTime = info.getDeclaredMethod("setLastReadTime", long.class);
            setLastReadTime.setAccessible(true);
        }
        catch (ReflectiveOperationException | RuntimeException ex) {
            sessions = null;
            setLastWriteTime = null;
            setLastReadTime = null;
            failure = ex.toString();
        }
        SESSIONS = sessions;
        SET_LAST_WRITE_TIME = setLastWriteTime;
        SET_LAST_READ_TIME = setLastReadTime;
        LOOKUP_FAILURE = failure;
    }

    private static final String TOPIC_PREFIX = Destinations.TOPIC + "/";

    private static final byte[] EMPTY = new byte[0];

    private final Map<String, ClientSessionDecorator> connections;

    private final AtomicLong messageIds = new AtomicLong();

    private final LongAdder deliveries;

    /** Spring's sessions by id, each with its heart-beat timing; {@code null} if not reachable. */
    private final @Nullable Map<String, ?> brokerSessions;

    /**
     * @param configured Spring's broker as the registry configured it, whose settings and
     *        subscription registry this broker takes over
     * @param connections the open connections by session id
     * @param deliveries counts the shared frames queued on connections, once per fan-out
     */
    public FanOutBroker(SimpleBrokerMessageHandler configured, Map<String, ClientSessionDecorator> connections,
            LongAdder deliveries) {
        super(configured.getClientInboundChannel(), configured.getClientOutboundChannel(),
                configured.getBrokerChannel(), configured.getDestinationPrefixes());
        setSubscriptionRegistry(configured.getSubscriptionRegistry());
        setTaskScheduler(configured.getTaskScheduler());
        setHeartbeatValue(configured.getHeartbeatValue());
        setHeaderInitializer(configured.getHeaderInitializer());
        setPreservePublishOrder(configured.isPreservePublishOrder());
        setPhase(configured.getPhase());
        this.connections = connections;
        this.deliveries = deliveries;
        this.brokerSessions = brokerSessions(this);
    }

    private static @Nullable Map<String, ?> brokerSessions(SimpleBrokerMessageHandler broker) {
        String failure = LOOKUP_FAILURE;
        if (SESSIONS != null) {
            try {
                if (SESSIONS.get(broker) instanceof Map<?, ?> sessions) {
                    @SuppressWarnings("unchecked")
                    Map<String, ?> byId = (Map<String, ?>) sessions;
                    return byId;
                }
                failure = "sessions is not a Map";
            }
            catch (IllegalAccessException ex) {
                failure = ex.toString();
            }
        }
        logger.warn("Spring's SimpleBrokerMessageHandler has no readable sessions map with "
                + "SessionInfo.setLastWriteTime and setLastReadTime ({}): the broker makes a heart-beat message "
                + "for every connection at each of its checks, and a client's heart-beat is a message to it",
                failure);
        return null;
    }

    /** Whether the broker is told of writes ({@link #wroteAt}): Spring's internals were found (for tests). */
    public boolean learnsWrites() {
        return this.brokerSessions != null;
    }

    /**
     * Tells the broker's heart-beat check when {@code sessionId} was last written to, in
     * {@link System#currentTimeMillis()}: it makes the next heart-beat message for the session
     * only when the write interval has passed since. Spring's broker counts only its own
     * messages, and not even its heart-beats.
     */
    public void wroteAt(String sessionId, long epochMillis) {
        set(SET_LAST_WRITE_TIME, sessionId, epochMillis);
    }

    /** Sets a session's time through a setter of Spring's {@code SessionInfo}, if it is there. */
    private void set(@Nullable Method setter, String sessionId, long epochMillis) {
        Object info = (this.brokerSessions != null) ? this.brokerSessions.get(sessionId) : null;
        if (info != null && setter != null) {
            try {
                setter.invoke(info, epochMillis);
            }
            catch (ReflectiveOperationException ex) {
                // a setter of a volatile field, made accessible at start-up: not expected to fail
                logger.debug("Could not set {} of session {}", setter.getName(), sessionId, ex);
            }
        }
    }

    /** A registry for {@link ClientSessionDecorator}s to be found by the broker. */
    public static Map<String, ClientSessionDecorator> newConnectionRegistry() {
        return new ConcurrentHashMap<>();
    }

    /**
     * A SUBSCRIBE of a connection that closed while the frame was on its way is forgotten: the
     * connection's DISCONNECT may have reached the broker first, and nothing else would ever
     * remove the subscription (the front-door fuzzer found one left behind in about 4,000 cases).
     * The connection leaves the registry before its DISCONNECT is sent, so either that DISCONNECT
     * removes what was registered, or this check finds the connection gone.
     */
    @Override
    protected void handleMessageInternal(Message<?> message) {
        super.handleMessageInternal(message);
        if (SimpMessageHeaderAccessor.getMessageType(message.getHeaders()) == SimpMessageType.SUBSCRIBE) {
            String session = SimpMessageHeaderAccessor.getSessionId(message.getHeaders());
            if (session != null && !this.connections.containsKey(session)) {
                getSubscriptionRegistry().unregisterAllSubscriptions(session);
            }
        }
    }

    @Override
    protected void sendMessageToSubscribers(@Nullable String destination, Message<?> message) {
        SharedMessageFrame frame = sharedFrame(destination, message);
        if (frame == null) {
            super.sendMessageToSubscribers(destination, message);
            return;
        }
        MultiValueMap<String, String> subscriptions = getSubscriptionRegistry().findSubscriptions(message);
        int queued = 0;
        for (Map.Entry<String, List<String>> entry : subscriptions.entrySet()) {
            ClientSessionDecorator connection = this.connections.get(entry.getKey());
            if (connection != null) {
                for (String subscriptionId : entry.getValue()) {
                    connection.sendFrame(frame.forSubscription(subscriptionId));
                    queued++;
                }
            }
        }
        // one add per fan-out: the counter is read only when metrics are scraped
        this.deliveries.add(queued);
    }

    /**
     * A client's heart-beat, taken to the broker without Spring's decoding and inbound channel: it
     * only tells the broker that the client is there (its read time), which is all a heart-beat
     * does on Spring's path too, and that path cost ~1.6 KB of garbage per heart-beat.
     */
    public void clientHeartbeat(String sessionId) {
        if (this.brokerSessions != null) {
            // what the broker does with a heart-beat, without a message
            set(SET_LAST_READ_TIME, sessionId, System.currentTimeMillis());
            return;
        }
        SimpMessageHeaderAccessor accessor = SimpMessageHeaderAccessor.create(SimpMessageType.HEARTBEAT);
        accessor.setSessionId(sessionId);
        handleMessage(MessageBuilder.createMessage(EMPTY, accessor.getMessageHeaders()));
    }

    /** The shared frame of a plain topic message, or {@code null} if Spring should deliver it. */
    private @Nullable SharedMessageFrame sharedFrame(@Nullable String destination, Message<?> message) {
        if (destination == null || !destination.startsWith(TOPIC_PREFIX)
                || !(message.getPayload() instanceof byte[] body)) {
            return null;
        }
        Object nativeHeaders = message.getHeaders().get(NativeMessageHeaderAccessor.NATIVE_HEADERS);
        if (nativeHeaders instanceof Map<?, ?> headers && !headers.isEmpty()) {
            return null;
        }
        Object contentType = message.getHeaders().get(MessageHeaders.CONTENT_TYPE);
        return SharedMessageFrame.of(destination, (contentType != null) ? contentType.toString() : null,
                Long.toString(this.messageIds.incrementAndGet()), body);
    }
}
