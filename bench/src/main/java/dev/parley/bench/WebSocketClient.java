package dev.parley.bench;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What carries a {@link ChatConnection}'s WebSocket: the JDK's {@code HttpClient}
 * ({@link JdkWebSocketClient}) or Netty ({@link NettyWebSocketClient}), chosen with
 * {@code --client}. The generator shares the machine with the server, so what its client costs
 * per frame is CPU the server does not get (docs/performance.md, session 21).
 */
interface WebSocketClient extends AutoCloseable {

    /** The client the options ask for; {@code http} carries the JDK's WebSockets (owned by the caller). */
    static WebSocketClient of(Options options, java.net.http.HttpClient http) {
        return "jdk".equals(options.client) ? new JdkWebSocketClient(http) : new NettyWebSocketClient(options.ioThreads);
    }

    /**
     * Opens a WebSocket to {@code uri} for {@code connection}: attaches the link to it before
     * anything arrives, then completes once the handshake did (exceptionally if it failed or took
     * longer than {@code timeout}).
     * @param headers added to the handshake request
     */
    CompletableFuture<Void> open(URI uri, Duration timeout, Map<String, String> headers, ChatConnection connection);

    @Override
    void close();

    /** One open WebSocket as a {@link ChatConnection} drives it. */
    interface Link {

        /**
         * Sends one text message, after those sent before; takes it off {@link ChatConnection#QUEUED}
         * once it is handed to the socket, and reports a failure to the connection.
         */
        void send(String text);

        /** Sends a close frame, and ends the connection if the server does not answer within 5 s. */
        void close();

        /** Ends the connection at once. */
        void abort();

        /** Stops reading the socket (what the client already read may still be delivered). */
        void pauseReading();

        /** Reads again. */
        void resumeReading();
    }
}
