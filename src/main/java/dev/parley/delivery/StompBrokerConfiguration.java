package dev.parley.delivery;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.micrometer.core.instrument.binder.MeterBinder;

import dev.parley.config.ChatProperties;
import dev.parley.core.BroadcastBatches;
import dev.parley.core.Destinations;
import dev.parley.delivery.broker.FanOutBroker;
import dev.parley.delivery.session.ClientFrameWriter;
import dev.parley.delivery.session.ClientSessionDecorator;
import dev.parley.delivery.session.ClientWriters;
import dev.parley.delivery.session.CompleteFramesDecoder;
import dev.parley.delivery.session.ConnectionDeadlines;
import dev.parley.delivery.session.HttpSessionLiveness;
import dev.parley.delivery.session.InboundWriteScope;
import dev.parley.delivery.session.QuietHeartbeatInterceptor;
import dev.parley.delivery.session.SockJsRequestErrors;
import dev.parley.delivery.tomcat.ReceiveBuffers;
import dev.parley.delivery.tomcat.TomcatFrameWriters;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.messaging.simp.broker.AbstractBrokerMessageHandler;
import org.springframework.messaging.simp.config.ChannelRegistration;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.messaging.simp.broker.SimpleBrokerMessageHandler;
import org.springframework.messaging.simp.user.UserDestinationResolver;
import org.springframework.messaging.support.AbstractSubscribableChannel;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.WebSocketMessageBrokerStats;
import org.springframework.web.socket.config.annotation.DelegatingWebSocketMessageBrokerConfiguration;
import org.springframework.web.socket.messaging.StompSubProtocolHandler;
import org.springframework.web.socket.messaging.SubProtocolHandler;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

/**
 * What {@code @EnableWebSocketMessageBroker} imports, with three changes:
 * <ul>
 * <li>each connection's frames go through a {@link ClientSessionDecorator}, a queue that never
 * makes a sender wait and cuts off clients too slow to read;</li>
 * <li>the simple broker is a {@link FanOutBroker}, which encodes a topic message once for all
 * its subscribers;</li>
 * <li>WebSocket messages may arrive in parts, so Tomcat needs no receive buffer as large as the
 * largest frame (see {@link ReceiveBuffers}), and are parsed once whole
 * ({@link CompleteFramesDecoder});</li>
 * <li>a connection that does not complete CONNECT in time, or stays open after its DISCONNECT, is
 * closed ({@link ConnectionDeadlines}).</li>
 * </ul>
 * {@link WebSocketConfiguration} configures everything else.
 */
@Configuration(proxyBeanMethods = false)
class StompBrokerConfiguration extends DelegatingWebSocketMessageBrokerConfiguration implements DisposableBean {

    /** Writer threads when slow clients hold the usual ones (see {@link ClientWriters}). */
    private static final int MAX_WRITER_THREADS = 128;

    private final Map<String, ClientSessionDecorator> connections = FanOutBroker.newConnectionRegistry();

    private final ChatProperties properties;

    /**
     * For the writes that block (SockJS; see {@link ClientFrameWriter}): few threads, so that a
     * broadcast wakes few; slow clients hold them, and for those the stall check adds threads.
     */
    private final ClientWriters writers;

    private final ConnectionDeadlines deadlines;

    /** Room event frames queued on connections ({@link DeliveryMeters}). */
    private final LongAdder deliveries = new LongAdder();

    /** Slow clients cut off ({@link DeliveryMeters}). */
    private final LongAdder cutOffs = new LongAdder();

    StompBrokerConfiguration(ChatProperties properties) {
        this.properties = properties;
        int writerThreads = properties.transport().writerThreadsOrDefault();
        this.writers = new ClientWriters(writerThreads, Math.max(writerThreads, MAX_WRITER_THREADS));
        this.deadlines = new ConnectionDeadlines(this.connections,
                () -> getApplicationContext().getBean("messageBrokerTaskScheduler", TaskScheduler.class),
                properties.limits().connectTimeout());
    }

    /** The connections the engine holds: what tests check is back to its baseline once clients are gone. */
    int openConnections() {
        return this.connections.size();
    }

    /**
     * When the application shuts down (a deploy, a rolling restart), every client is told that
     * the service restarts (close status 1012) before anything else stops, so that it reconnects
     * at once, to another instance where there is one, instead of meeting a dead socket or
     * Spring's "going away" (1001) at the end of the shutdown.
     */
    @EventListener
    public void closeConnectionsForRestart(ContextClosedEvent event) {
        if (event.getApplicationContext() != getApplicationContext()) {
            return;
        }
        for (ClientSessionDecorator connection : List.copyOf(this.connections.values())) {
            try {
                connection.close(CloseStatus.SERVICE_RESTARTED);
            }
            catch (IOException | RuntimeException ex) {
                // closing anyway: the client learns it from the socket
            }
        }
    }

    /** The writer threads end with the application context (each test context used to leave its own). */
    @Override
    public void destroy() {
        this.writers.shutdown();
    }

    /**
     * Events published outside the handling of a client frame (a stored message, broadcast by the
     * group commit's thread) are written as a frame's replies are: once the publish is done, and
     * a large room's writes on the writer threads, so that the publishing thread goes on to its
     * next work instead of making 500 writes one after another.
     */
    @Override
    protected void configureMessageBroker(MessageBrokerRegistry registry) {
        super.configureMessageBroker(registry);
        // Spring's user registry hears of a connected session before LateConnectedSessions asks
        // whether its connection is still open, so that a close between the two is seen
        registry.setUserRegistryOrder(LateConnectedSessions.ORDER - 1);
        registry.configureBrokerChannel().interceptors(new InboundWriteScope(this::handOffToWriters));
    }

    /**
     * The broker's answers to CONNECT and DISCONNECT pass here on their way out, and its
     * heart-beats, of which only those to quiet connections go on.
     */
    @Override
    protected void configureClientOutboundChannel(ChannelRegistration registration) {
        super.configureClientOutboundChannel(registration);
        ApplicationContext context = getApplicationContext();
        Supplier<FanOutBroker> broker = SingletonSupplier.of(() -> context.getBean(FanOutBroker.class));
        registration.interceptors(this.deadlines, new QuietHeartbeatInterceptor(this.connections,
                this.properties.transport().heartbeat(), (session, at) -> broker.get().wroteAt(session, at)));
    }

    /**
     * A group commit's broadcasts as one batch of writes: those of up to a small room's size on
     * the publishing thread, more on the writer threads ({@link InboundWriteScope#batch}).
     */
    @Bean
    BroadcastBatches broadcastBatches() {
        return broadcasts -> InboundWriteScope.batch(broadcasts, this::handOffToWriters);
    }

    /** Where the publishing thread hands off a large broadcast's writes; false once they are shut down. */
    private boolean handOffToWriters(Runnable writes) {
        try {
            this.writers.execute(writes);
            return true;
        }
        catch (RejectedExecutionException ex) {
            return false;
        }
    }

    @Bean
    @Override
    public WebSocketHandler subProtocolWebSocketHandler(AbstractSubscribableChannel clientInboundChannel,
            AbstractSubscribableChannel clientOutboundChannel) {
        ApplicationContext context = getApplicationContext();
        Supplier<TaskScheduler> scheduler = () -> context.getBean("messageBrokerTaskScheduler", TaskScheduler.class);
        ClientWriters writers = this.writers;
        Map<String, ClientSessionDecorator> connections = this.connections;
        ConnectionDeadlines deadlines = this.deadlines;
        LongAdder cutOffs = this.cutOffs;
        Supplier<FanOutBroker> broker = SingletonSupplier.of(() -> context.getBean(FanOutBroker.class));
        SubProtocolWebSocketHandler handler = new SubProtocolWebSocketHandler(clientInboundChannel,
                clientOutboundChannel) {
            @Override
            protected WebSocketSession decorateSession(WebSocketSession session) {
                ClientSessionDecorator connection = new ClientSessionDecorator(session,
                        TomcatFrameWriters.forSession(session, writers, getSendTimeLimit()), getSendTimeLimit(),
                        getSendBufferSizeLimit(), scheduler, cutOffs);
                connections.put(session.getId(), connection);
                deadlines.opened(session.getId());
                return connection;
            }

            @Override
            public void afterConnectionEstablished(WebSocketSession session) throws Exception {
                super.afterConnectionEstablished(session);
                // A SockJS session can be closed on another request's thread while it is being
                // established here; when that close was handled between Spring's isOpen check and
                // its registering of the session (and ours, in decorateSession), both would keep
                // the session for good. Its end is handled once more: Spring and every listener
                // of disconnects take a repeated one as nothing new.
                if (!session.isOpen()) {
                    afterConnectionClosed(session, CloseStatus.SESSION_NOT_RELIABLE);
                }
            }

            @Override
            public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
                // out of the registry before its DISCONNECT is sent (FanOutBroker#handleMessageInternal)
                connections.remove(session.getId());
                try {
                    super.afterConnectionClosed(session, closeStatus);
                }
                finally {
                    deadlines.ended(session.getId());
                }
            }

            /**
             * A client's heart-beats go straight to the broker ({@link FanOutBroker#clientHeartbeat}):
             * at one per connection every few seconds, Spring's decoding and inbound channel were
             * most of what an idle server allocated.
             */
            @Override
            public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) throws Exception {
                ClientSessionDecorator connection = connections.get(session.getId());
                if (connection == null) {
                    super.handleMessage(session, message);
                }
                else if (connection.receivedOnlyHeartbeats(message)) {
                    broker.get().clientHeartbeat(session.getId());
                }
                else {
                    connection.receive(message, () -> super.handleMessage(session, message));
                }
            }

            /** Frames arriving in parts are parsed once whole ({@link CompleteFramesDecoder}). */
            @Override
            public void addProtocolHandler(SubProtocolHandler protocolHandler) {
                if (protocolHandler instanceof StompSubProtocolHandler stomp) {
                    CompleteFramesDecoder decoder = new CompleteFramesDecoder();
                    decoder.setHeaderInitializer(stomp.getHeaderInitializer());
                    stomp.setDecoder(decoder);
                }
                super.addProtocolHandler(protocolHandler);
            }

            /** The STOMP decoder reassembles frames, up to the frame limit, from any parts. */
            @Override
            public boolean supportsPartialMessages() {
                return true;
            }
        };
        handler.setPhase(getPhase());
        return handler;
    }

    /** The engine's meters and Spring's broker statistics (docs/metrics.md). */
    @Bean
    MeterBinder deliveryMeters(ObjectProvider<WebSocketMessageBrokerStats> brokerStats) {
        return new DeliveryMeters(this.connections, this.writers, this.deliveries, this.cutOffs, brokerStats);
    }

    /** Ends again a session whose CONNECTED went out after its connection closed ({@link LateConnectedSessions}). */
    @Bean
    LateConnectedSessions lateConnectedSessions(ApplicationEventPublisher publisher) {
        ApplicationContext context = getApplicationContext();
        return new LateConnectedSessions(this.connections, publisher,
                () -> context.getBean("messageBrokerTaskScheduler", TaskScheduler.class));
    }

    /** Finds SockJS clients over HTTP that have gone ({@link HttpSessionLiveness}). */
    @Bean
    HttpSessionLiveness httpSessionLiveness(
            @Qualifier("messageBrokerTaskScheduler") TaskScheduler messageBrokerTaskScheduler) {
        ChatProperties.Transport transport = this.properties.transport();
        return new HttpSessionLiveness(this.connections, messageBrokerTaskScheduler, transport.streamingProbe(),
                transport.heartbeat().dividedBy(2), transport.disconnectDelay());
    }

    /** SockJS's HTTP requests end where they fail, not on the error page ({@link SockJsRequestErrors}). */
    @Bean
    FilterRegistrationBean<SockJsRequestErrors> sockJsRequestErrors() {
        FilterRegistrationBean<SockJsRequestErrors> registration = new FilterRegistrationBean<>(
                new SockJsRequestErrors(this.connections));
        registration.addUrlPatterns(WebSocketConfiguration.ENDPOINT + "/*");
        return registration;
    }

    @Bean
    @Override
    public AbstractBrokerMessageHandler simpleBrokerMessageHandler(AbstractSubscribableChannel clientInboundChannel,
            AbstractSubscribableChannel clientOutboundChannel, AbstractSubscribableChannel brokerChannel,
            UserDestinationResolver userDestinationResolver) {
        SimpleBrokerMessageHandler configured = (SimpleBrokerMessageHandler) super.simpleBrokerMessageHandler(
                clientInboundChannel, clientOutboundChannel, brokerChannel, userDestinationResolver);
        FanOutBroker broker = new FanOutBroker(configured, this.connections, this.deliveries);
        broker.setUserDestinationPredicate(destination -> destination.startsWith(Destinations.USER));
        return broker;
    }

}
