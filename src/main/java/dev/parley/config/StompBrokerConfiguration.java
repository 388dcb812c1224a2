package dev.parley.config;

import java.util.function.Supplier;

import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.support.AbstractSubscribableChannel;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.DelegatingWebSocketMessageBrokerConfiguration;
import org.springframework.web.socket.messaging.SubProtocolWebSocketHandler;

/**
 * What {@code @EnableWebSocketMessageBroker} imports, with two changes: each connection's
 * session for sending is a {@link ClientSessionDecorator}, which keeps ordered sends ordered
 * and delivers ERROR frames before the close; and WebSocket messages may arrive in parts, so Tomcat needs no
 * receive buffer as large as the largest frame (see {@link ReceiveBuffers}).
 * {@link WebSocketConfiguration} configures everything else.
 */
@Configuration(proxyBeanMethods = false)
class StompBrokerConfiguration extends DelegatingWebSocketMessageBrokerConfiguration {

    @Bean
    @Override
    public WebSocketHandler subProtocolWebSocketHandler(AbstractSubscribableChannel clientInboundChannel,
            AbstractSubscribableChannel clientOutboundChannel) {
        ApplicationContext context = getApplicationContext();
        Supplier<TaskScheduler> scheduler = () -> context.getBean("messageBrokerTaskScheduler", TaskScheduler.class);
        SubProtocolWebSocketHandler handler = new SubProtocolWebSocketHandler(clientInboundChannel,
                clientOutboundChannel) {
            @Override
            protected WebSocketSession decorateSession(WebSocketSession session) {
                return new ClientSessionDecorator(session, getSendTimeLimit(), getSendBufferSizeLimit(),
                        scheduler);
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
}
