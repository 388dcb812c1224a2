package dev.parley.delivery;

import java.util.ArrayList;
import java.util.List;

import dev.parley.config.ChatProperties;
import dev.parley.core.Destinations;
import dev.parley.delivery.broker.BrokerHeartbeatScheduler;
import dev.parley.delivery.broker.CachingPathMatcher;
import dev.parley.delivery.session.ClientSessionDecorator;
import dev.parley.delivery.session.InboundWriteScope;
import dev.parley.delivery.session.StompReceipts;
import dev.parley.delivery.tomcat.LeanUpgradeStrategy;
import dev.parley.delivery.tomcat.PollerReads;
import dev.parley.delivery.tomcat.ReceiveBuffers;
import dev.parley.delivery.tomcat.TomcatFastPaths;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.simp.broker.OrderedMessageChannelDecorator;
import org.springframework.messaging.support.ChannelInterceptor;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.messaging.support.MessageHeaderAccessor;
import org.springframework.messaging.simp.config.ChannelRegistration;
import org.springframework.messaging.simp.config.MessageBrokerRegistry;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.socket.config.annotation.StompEndpointRegistry;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketTransportRegistration;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/**
 * STOMP over WebSocket at {@code /ws}, with SockJS (websocket, xhr-streaming, xhr-polling) and
 * plain WebSocket at {@code /ws/websocket}; {@code .}-separated destinations; Spring's simple
 * broker for {@code /topic} and {@code /queue}. The broker itself is set up by
 * {@link StompBrokerConfiguration}, which takes this configurer.
 */
@Configuration(proxyBeanMethods = false)
class WebSocketConfiguration implements WebSocketMessageBrokerConfigurer {

    /** Room for SockJS framing and escaping above the STOMP frame limit. */
    private static final int SOCKJS_BUFFER_SLACK = 8 * 1024;

    /**
     * Tomcat's text receive buffer of a plain STOMP connection, which takes partial messages: big
     * enough for a short chat message's SEND frame in one piece, small enough to keep idle
     * connections cheap (it holds chars: 512 bytes of heap). Larger frames arrive in parts,
     * which Spring's STOMP decoder joins.
     */
    static final int PARTIAL_MESSAGE_BUFFER = 256;

    /**
     * The binary receive buffer of a plain STOMP connection: STOMP clients send text (stomp.js
     * sends binary only when told to), so binary frames are rare and may come in small parts.
     */
    private static final int PARTIAL_BINARY_MESSAGE_BUFFER = 128;

    /** STOMP's endpoint: SockJS at {@code /ws}, plain WebSocket at {@code /ws/websocket}. */
    static final String ENDPOINT = "/ws";

    private final ChatProperties.Transport transport;

    private final ObjectProvider<ChannelInterceptor> featureInterceptors;

    private final TaskScheduler brokerScheduler;

    private final MessageChannel clientOutboundChannel;

    WebSocketConfiguration(ChatProperties properties, ObjectProvider<ChannelInterceptor> featureInterceptors,
            @Lazy TaskScheduler messageBrokerTaskScheduler,
            @Lazy @Qualifier("clientOutboundChannel") MessageChannel clientOutboundChannel) {
        this.transport = properties.transport();
        this.featureInterceptors = featureInterceptors;
        this.brokerScheduler = messageBrokerTaskScheduler;
        this.clientOutboundChannel = clientOutboundChannel;
    }

    /** Frames of plain WebSocket connections handled on Tomcat's poller ({@link PollerReads}). */
    @Bean
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> readOnPoller() {
        // not ordered: runs after Spring Boot's own customizer, which sets the thread counts
        return factory -> {
            if (this.transport.readOnPoller()) {
                factory.addConnectorCustomizers(PollerReads::install);
            }
        };
    }

    /** A WARN at start-up for each of the engine's ways into Tomcat that this Tomcat lacks. */
    @Bean
    TomcatFastPaths tomcatFastPaths() {
        return TomcatFastPaths.of(this.transport.readOnPoller());
    }

    @Override
    public void registerStompEndpoints(StompEndpointRegistry registry) {
        long heartbeat = this.transport.heartbeat().toMillis();
        List<String> origins = this.transport.allowedOriginPatterns();
        registry.addEndpoint(ENDPOINT)
                .setAllowedOriginPatterns(origins.toArray(String[]::new))
                .setHandshakeHandler(new ReceiveBuffers(new DefaultHandshakeHandler(
                        new LeanUpgradeStrategy(this.transport.perMessageDeflate())), wholeMessageBuffer()))
                .withSockJS()
                // the iframe transports' page loads the client the chat page uses, from this
                // service: Spring's default, a CDN, is not a source the page's policy allows
                .setClientLibraryUrl("/webjars/sockjs-client/dist/sockjs.min.js")
                .setHeartbeatTime(heartbeat)
                .setDisconnectDelay(this.transport.disconnectDelay().toMillis())
                // messages held for an xhr-polling client between two polls
                .setHttpMessageCacheSize(1000)
                .setSessionCookieNeeded(false);
        // A connection's frames are handled in the order it sent them, so its messages are
        // stored in that order. Spring then no longer turns exceptions thrown by inbound
        // interceptors into ERROR frames: StompAuthentication sends its own.
        registry.setPreserveReceiveOrder(true);
    }

    @Override
    public void configureMessageBroker(MessageBrokerRegistry registry) {
        long heartbeat = this.transport.heartbeat().toMillis();
        registry.setApplicationDestinationPrefixes(Destinations.APP);
        registry.setUserDestinationPrefix(Destinations.USER);
        registry.setPathMatcher(new CachingPathMatcher());
        // No preservePublishOrder: the outbound channel is synchronous (below), so a frame is
        // queued on its connection on the publishing thread, in publish order.
        registry.enableSimpleBroker(Destinations.TOPIC, Destinations.QUEUE)
                .setHeartbeatValue(new long[] { heartbeat, heartbeat })
                .setTaskScheduler(new BrokerHeartbeatScheduler(this.brokerScheduler));
    }

    @Override
    public void configureClientInboundChannel(ChannelRegistration registration) {
        // A frame is handled on the container thread that read it: no hand-off to another pool
        // per frame, and a client that floods the server is held back by its own connection
        // (Tomcat reads its next frame when this one is handled) instead of filling a queue.
        registration.executor(new SyncTaskExecutor());
        // The features' interceptors (every ChannelInterceptor bean, in @Order: the CONNECT gate
        // first) run between the engine's two: InboundWriteScope must see every frame first, and
        // StompReceipts answers a frame once everything else has handled it.
        List<ChannelInterceptor> interceptors = new ArrayList<>();
        interceptors.add(new InboundWriteScope(PollerReads::toWorkers));
        this.featureInterceptors.orderedStream().forEach(interceptors::add);
        interceptors.add(new StompReceipts(this.clientOutboundChannel));
        registration.interceptors(interceptors.toArray(ChannelInterceptor[]::new));
    }

    /**
     * Frames are queued on their connection on the thread that publishes them: a connection's
     * queue never blocks ({@link ClientSessionDecorator}), and a hand-off to another thread for
     * every frame cost more than the queueing itself.
     */
    @Override
    public void configureClientOutboundChannel(ChannelRegistration registration) {
        registration.executor(new SyncTaskExecutor()).interceptors(new DropInboundOrderingTask());
    }

    @Override
    public void configureWebSocketTransport(WebSocketTransportRegistration registration) {
        registration.setMessageSizeLimit(toInt(this.transport.messageSizeLimit().toBytes()))
                .setSendBufferSizeLimit(toInt(this.transport.sendBufferSizeLimit().toBytes()))
                .setSendTimeLimit(toInt(this.transport.sendTimeLimit().toMillis()));
    }

    /**
     * Tomcat's receive buffers default to 8 KiB and would close the connection on any larger
     * message that its handler cannot take in parts; {@link ReceiveBuffers} raises them for the
     * connections that need it.
     */
    @Bean
    ServletServerContainerFactoryBean webSocketContainer() {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxTextMessageBufferSize(PARTIAL_MESSAGE_BUFFER);
        container.setMaxBinaryMessageBufferSize(PARTIAL_BINARY_MESSAGE_BUFFER);
        return container;
    }

    private int wholeMessageBuffer() {
        return toInt(this.transport.messageSizeLimit().toBytes()) + SOCKJS_BUFFER_SLACK;
    }

    private static int toInt(long value) {
        return Math.toIntExact(value);
    }

    /**
     * A reply sent while a client frame is handled (an error, a subscription's first message)
     * inherits that frame's headers, among them the task that releases the client's next inbound
     * frame. On the way out, Spring's STOMP handler would take it for an outbound ordering task;
     * nothing on the outbound side needs it.
     */
    private static final class DropInboundOrderingTask implements ChannelInterceptor {

        private static final String NEXT_MESSAGE_TASK_HEADER = "simpNextMessageTask";

        @Override
        public Message<?> preSend(Message<?> message, MessageChannel channel) {
            if (OrderedMessageChannelDecorator.getNextMessageTask(message) == null) {
                return message;
            }
            MessageHeaderAccessor accessor = MessageHeaderAccessor.getMutableAccessor(message);
            accessor.removeHeader(NEXT_MESSAGE_TASK_HEADER);
            return MessageBuilder.createMessage(message.getPayload(), accessor.getMessageHeaders());
        }
    }
}
