package dev.parley.bench;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * STOMP frames over one WebSocket ({@link ChatConnection}): decodes what arrives, in order,
 * and sends frames one WebSocket text message each.
 */
final class StompConnection extends ChatConnection {

    interface Handler {

        void onFrame(StompConnection connection, StompFrame frame);

        /** The connection ended: closed by the server, failed, or broken by a protocol error. */
        void onClosed(StompConnection connection, String reason);
    }

    private final Handler handler;

    private final StompDecoder decoder = new StompDecoder();

    private StompConnection(Handler handler, boolean readOneByOne) {
        super(readOneByOne);
        this.handler = handler;
    }

    static CompletableFuture<StompConnection> open(WebSocketClient client, URI uri, Duration timeout, Handler handler) {
        return open(client, uri, timeout, handler, false, Map.of());
    }

    /**
     * @param readOneByOne request incoming messages one at a time, so that {@link #stopReading()}
     * can stop reading (a slow reader); otherwise everything is requested at once
     * @param headers added to the handshake request
     */
    static CompletableFuture<StompConnection> open(WebSocketClient client, URI uri, Duration timeout, Handler handler,
            boolean readOneByOne, Map<String, String> headers) {
        return ChatConnection.open(client, uri, timeout, new StompConnection(handler, readOneByOne), headers);
    }

    boolean send(StompFrame frame) {
        return send(StompCodec.encode(frame));
    }

    @Override
    void received(CharSequence data, boolean last) {
        try {
            this.decoder.feed(data, frame -> this.handler.onFrame(this, frame));
        }
        catch (StompCodec.StompException ex) {
            closed("protocol error: " + ex.getMessage());
        }
    }

    @Override
    void onClosed(String reason) {
        this.handler.onClosed(this, reason);
    }
}
