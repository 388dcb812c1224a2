package dev.parley.browser;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.WebSocketMessageBrokerConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketTransportRegistration;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;
import org.springframework.web.socket.handler.WebSocketSessionDecorator;

/**
 * Test-only control over the server's side of STOMP connections (all transports: the decorated
 * handler sees SockJS sessions too). It learns each connection's nickname from its CONNECT frame,
 * and lets a test
 * <ul>
 * <li>{@linkplain #drop(String) close} every connection of a nickname, as a network failure or a
 * server restart would;</li>
 * <li>{@linkplain #refuse(String) refuse} its new connections (closed at CONNECT) until
 * {@linkplain #allow(String) allowed} again, to keep it away while others talk;</li>
 * <li>{@linkplain #loseOnce(String, String) lose} one outbound frame to it, to make a gap in
 * the live message ids it sees;</li>
 * <li>{@linkplain #loseReceipts(String) lose} every RECEIPT frame to it until
 * {@linkplain #keepReceipts() told otherwise}, to see what a client does before its frames are
 * confirmed.</li>
 * </ul>
 */
class ConnectionControl implements WebSocketMessageBrokerConfigurer {

    private static final String RECEIPT_ID = "\nreceipt-id:";

    private final Map<String, WebSocketSession> sessions = new ConcurrentHashMap<>();

    private final Map<String, String> nicknames = new ConcurrentHashMap<>();

    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    /** {nickname, marker}: the next frame to that nickname containing the marker is lost. */
    private final AtomicReference<String[]> toLose = new AtomicReference<>();

    /** The nickname whose RECEIPT frames are lost, or null. */
    private final AtomicReference<String> receiptsLostTo = new AtomicReference<>();

    private final AtomicInteger receiptsLost = new AtomicInteger();

    @Override
    public void configureWebSocketTransport(WebSocketTransportRegistration registration) {
        registration.addDecoratorFactory(Decorator::new);
    }

    /** Closes every connection of the nickname; returns how many there were. */
    int drop(String nickname) {
        int closed = 0;
        for (Map.Entry<String, String> entry : this.nicknames.entrySet()) {
            WebSocketSession session = this.sessions.get(entry.getKey());
            if (session != null && fold(entry.getValue()).equals(fold(nickname))) {
                try {
                    session.close(CloseStatus.SERVICE_RESTARTED);
                    closed++;
                }
                catch (IOException ex) {
                    // closed already
                }
            }
        }
        return closed;
    }

    void refuse(String nickname) {
        this.refused.add(fold(nickname));
    }

    void allow(String nickname) {
        this.refused.remove(fold(nickname));
    }

    void loseOnce(String nickname, String marker) {
        this.toLose.set(new String[] { fold(nickname), marker });
    }

    boolean lost() {
        return this.toLose.get() == null;
    }

    void loseReceipts(String nickname) {
        this.receiptsLost.set(0);
        this.receiptsLostTo.set(fold(nickname));
    }

    void keepReceipts() {
        this.receiptsLostTo.set(null);
    }

    /** RECEIPT frames lost since {@link #loseReceipts(String)}. */
    int receiptsLost() {
        return this.receiptsLost.get();
    }

    private static String fold(String nickname) {
        return nickname.toLowerCase(Locale.ROOT);
    }

    /** The login header of a CONNECT / STOMP frame, or null for any other frame. */
    static String connectLogin(String payload) {
        String frame = payload.stripLeading();
        if (!frame.startsWith("CONNECT\n") && !frame.startsWith("STOMP\n")
                && !frame.startsWith("CONNECT\r\n") && !frame.startsWith("STOMP\r\n")) {
            return null;
        }
        for (String line : frame.split("\r?\n")) {
            if (line.isEmpty()) {
                break;
            }
            if (line.startsWith("login:")) {
                return line.substring("login:".length());
            }
        }
        return null;
    }

    private final class Decorator extends WebSocketHandlerDecorator {

        Decorator(WebSocketHandler delegate) {
            super(delegate);
        }

        @Override
        public void afterConnectionEstablished(WebSocketSession session) throws Exception {
            sessions.put(session.getId(), session);
            super.afterConnectionEstablished(new LosingSession(session));
        }

        @Override
        public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) throws Exception {
            if (message instanceof TextMessage text) {
                String login = connectLogin(text.getPayload());
                if (login != null) {
                    nicknames.put(session.getId(), login);
                    if (refused.contains(fold(login))) {
                        session.close(CloseStatus.SERVICE_RESTARTED);
                        return;
                    }
                }
            }
            super.handleMessage(session, message);
        }

        @Override
        public void afterConnectionClosed(WebSocketSession session, CloseStatus closeStatus) throws Exception {
            sessions.remove(session.getId());
            nicknames.remove(session.getId());
            super.afterConnectionClosed(session, closeStatus);
        }
    }

    /** The session the STOMP handler writes to: may lose the one frame a test asked to lose. */
    private final class LosingSession extends WebSocketSessionDecorator {

        LosingSession(WebSocketSession delegate) {
            super(delegate);
        }

        @Override
        public void sendMessage(WebSocketMessage<?> message) throws IOException {
            String nickname = fold(nicknames.getOrDefault(getId(), ""));
            if (nickname.equals(receiptsLostTo.get()) && message instanceof TextMessage text
                    && text.getPayload().contains(RECEIPT_ID)) {
                String rest = text.getPayload();
                while (rest.contains(RECEIPT_ID)) {
                    rest = withoutFrame(rest, RECEIPT_ID);
                    receiptsLost.incrementAndGet();
                }
                if (!rest.isEmpty()) {
                    super.sendMessage(new TextMessage(rest));
                }
                return;
            }
            String[] lose = toLose.get();
            if (lose != null && message instanceof TextMessage text && text.getPayload().contains(lose[1])
                    && lose[0].equals(fold(nicknames.getOrDefault(getId(), ""))) && toLose.compareAndSet(lose, null)) {
                String rest = withoutFrame(text.getPayload(), lose[1]);
                if (!rest.isEmpty()) {
                    super.sendMessage(new TextMessage(rest));
                }
                return;
            }
            super.sendMessage(message);
        }
    }

    /**
     * The payload without the one STOMP frame that contains the marker. The server batches the
     * frames queued for a connection into one WebSocket message, so losing the whole message
     * could lose its neighbours too, and a lost last message leaves no gap for the client to see.
     */
    static String withoutFrame(String payload, String marker) {
        int at = payload.indexOf(marker);
        int start = payload.lastIndexOf('\0', at) + 1;
        int end = payload.indexOf('\0', at);
        return payload.substring(0, start) + (end < 0 ? "" : payload.substring(end + 1));
    }
}
