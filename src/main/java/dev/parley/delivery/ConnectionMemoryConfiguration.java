package dev.parley.delivery;

import dev.parley.delivery.tomcat.LeanUpgradeStrategy;

import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Smaller per-connection buffers in Tomcat. A chat server holds every client's connection open
 * for hours, mostly idle, so what Tomcat allocates per connection up front decides how many
 * clients one instance carries; chat frames are a few hundred bytes, and larger ones still pass,
 * in more pieces. See {@code docs/performance.md} for the memory per connection this moved.
 */
@Configuration(proxyBeanMethods = false)
public class ConnectionMemoryConfiguration {

    /**
     * Bytes Tomcat's NIO connector reads a socket through (Tomcat's default: 8 KiB). HTTP requests
     * are read past it, straight into the request's own buffer, as is anything read into a buffer
     * at least this large; a WebSocket frame is read through it, so a client frame of up to this
     * many bytes (a chat SEND is a few hundred) takes one system call, and a longer one more.
     */
    static final int SOCKET_READ_BUFFER = 512;

    /**
     * Bytes Tomcat's NIO connector writes a socket through (Tomcat's default: 8 KiB). Tomcat 11
     * copies every HTTP response through it and writes each buffer-full, so a smaller one would
     * cost the REST API and SockJS system calls; WebSocket frames are written past it.
     */
    static final int SOCKET_WRITE_BUFFER = 1024;

    /**
     * Tomcat's WebSocket input, output and encoder buffers of each connection (default 8 KiB each).
     * Frames are read from the socket buffer this much at a time. Parley's connections send text
     * as bytes ({@link LeanUpgradeStrategy}), so neither the encoder nor the output buffer (used
     * only with batching) limits what they send. Tomcat reads the size once, as a JVM system
     * property, when its WebSocket classes load, at the web server's start.
     */
    static final String WEBSOCKET_BUFFER_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

    static final int WEBSOCKET_BUFFER = 256;

    @Bean
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> smallSocketBuffers() {
        return factory -> {
            // before the server starts, so before Tomcat's WebSocket classes load
            useSmallWebSocketBuffers();
            factory.addConnectorCustomizers(connector -> {
                connector.setProperty("socket.appReadBufSize", Integer.toString(SOCKET_READ_BUFFER));
                connector.setProperty("socket.appWriteBufSize", Integer.toString(SOCKET_WRITE_BUFFER));
            });
        };
    }

    /** Sets Tomcat's WebSocket buffer size unless the JVM was given one. */
    private static void useSmallWebSocketBuffers() {
        if (System.getProperty(WEBSOCKET_BUFFER_PROPERTY) == null) {
            System.setProperty(WEBSOCKET_BUFFER_PROPERTY, Integer.toString(WEBSOCKET_BUFFER));
        }
    }
}
