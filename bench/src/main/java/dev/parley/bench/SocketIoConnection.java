package dev.parley.bench;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Socket.IO v5 over Engine.IO v4 on one WebSocket ({@link ChatConnection}): one packet per
 * WebSocket message, the parts of a message joined first. Answers the server's pings itself, as
 * every Socket.IO client does (the server closes a connection that misses one); hands every other
 * packet to the handler.
 */
final class SocketIoConnection extends ChatConnection {

    interface Handler {

        /** A packet other than a ping (the open packet, the namespace's connect, events, acks…). */
        void onPacket(SocketIoConnection connection, SocketIoCodec.Packet packet);

        /** The connection ended: closed by the server, failed, or broken by a protocol error. */
        void onClosed(SocketIoConnection connection, String reason);
    }

    private final Handler handler;

    /** The first parts of a message the WebSocket delivered in pieces. */
    private final StringBuilder partial = new StringBuilder();

    private SocketIoConnection(Handler handler, boolean readOneByOne) {
        super(readOneByOne);
        this.handler = handler;
    }

    /**
     * @param uri the server's Engine.IO endpoint for a WebSocket from the start, e.g.
     * {@code ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket}
     * @param readOneByOne as for {@link StompConnection#open(WebSocketClient, URI, Duration, StompConnection.Handler, boolean, Map)}
     * @param headers added to the handshake request
     */
    static CompletableFuture<SocketIoConnection> open(WebSocketClient client, URI uri, Duration timeout, Handler handler,
            boolean readOneByOne, Map<String, String> headers) {
        return ChatConnection.open(client, uri, timeout, new SocketIoConnection(handler, readOneByOne), headers);
    }

    @Override
    void received(CharSequence data, boolean last) {
        if (!last) {
            this.partial.append(data);
            return;
        }
        CharSequence message = data;
        if (this.partial.length() > 0) {
            message = this.partial.append(data).toString();
            this.partial.setLength(0);
        }
        SocketIoCodec.Packet packet;
        try {
            packet = SocketIoCodec.decode(message);
        }
        catch (RuntimeException ex) {
            closed("protocol error: " + ex.getMessage());
            return;
        }
        switch (packet.engineType()) {
            case SocketIoCodec.PING -> send(SocketIoCodec.pong());
            case SocketIoCodec.CLOSE -> closed("closed by the server: Engine.IO close packet");
            default -> {
                if (packet.is(SocketIoCodec.DISCONNECT)) {
                    closed("disconnected by the server: Socket.IO disconnect packet");
                }
                else {
                    this.handler.onPacket(this, packet);
                }
            }
        }
    }

    @Override
    void onClosed(String reason) {
        this.handler.onClosed(this, reason);
    }
}
