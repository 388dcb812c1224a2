package dev.parley.delivery.session;

import java.util.ArrayList;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.ChannelInterceptor;

/**
 * Writes to clients that the handling of a client's frame starts are made once that frame has
 * been handled, on the same thread, rather than where they are queued.
 * <p>
 * Why: a chat message is broadcast under its room's lock ({@code MessageService}), and each
 * subscriber's frame is queued there ({@link ClientSessionDecorator}). Written on the spot, a
 * room's 500 writes would all run under that lock, one message after another on one thread,
 * whatever the other cores do (the big room's sweep topped out at 62,500 deliveries/s that way,
 * against 149,000 with writer threads). Written after the handling, each sender's thread writes
 * outside the lock, in parallel with the others, and a write takes whatever the other threads
 * queued for that client meanwhile.
 * <p>
 * An interceptor of the client inbound channel, which must come first so that its
 * {@code afterSendCompletion} runs whatever the interceptors after it do. A batch of broadcasts
 * made outside any client frame, a group commit's, is a scope too ({@link #batch}). Frames queued
 * on a thread outside any scope (heart-beats, disconnects) are written at once.
 */
public final class InboundWriteScope implements ChannelInterceptor {

    private static final Log logger = LogFactory.getLog(InboundWriteScope.class);

    private static final ThreadLocal<Scope> SCOPE = ThreadLocal.withInitial(Scope::new);

    /**
     * Most connections whose writes start on Tomcat's poller when it handled the client frame
     * ({@link dev.parley.delivery.tomcat.PollerReads}); those of a larger broadcast start on a
     * worker thread ({@link HandOff}). Written on the poller alone, a room of 500 took every
     * write of every message on one thread, and the big room's sweep fell from 125,000 to 62,500
     * deliveries/s; the writes of a room of 10 cost less than a hand-off.
     */
    static final int WRITES_ON_POLLER = 64;

    private final HandOff largeBroadcasts;

    /**
     * @param largeBroadcasts where the writes of a broadcast to more than
     *        {@link #WRITES_ON_POLLER} connections go, if not on the thread that handled the frame
     */
    public InboundWriteScope(HandOff largeBroadcasts) {
        this.largeBroadcasts = largeBroadcasts;
    }

    /**
     * Registers {@code connection} to start its write at the end of the handling under way on
     * this thread; returns {@code false} if there is none, and the caller writes now.
     */
    static boolean defer(ClientSessionDecorator connection) {
        Scope scope = SCOPE.get();
        if (scope.depth == 0) {
            return false;
        }
        if (scope.pending == null) {
            scope.pending = new ArrayList<>();
        }
        scope.pending.add(connection);
        return true;
    }

    @Override
    public Message<?> preSend(Message<?> message, MessageChannel channel) {
        SCOPE.get().depth++;
        return message;
    }

    @Override
    public void afterSendCompletion(Message<?> message, MessageChannel channel, boolean sent,
            @Nullable Exception ex) {
        List<ClientSessionDecorator> pending = end(SCOPE.get());
        if (pending == null) {
            return;
        }
        if (pending.size() > WRITES_ON_POLLER && this.largeBroadcasts.handOff(() -> flush(pending))) {
            return;
        }
        flush(pending);
    }

    /**
     * Runs {@code publishing} so that the writes it starts are made once it is done: a client
     * that several of its broadcasts reach gets them in one write (the group commit's thread
     * made one write per message and member, and at 1,000 messages/s into rooms of 50 it did
     * nothing else). Up to {@link #WRITES_ON_POLLER} connections are written on this thread;
     * more are handed off in parts of that size, so that several threads write them while this
     * one goes on. Within a scope already open, the writes wait for its end.
     */
    public static void batch(Runnable publishing, HandOff handOff) {
        Scope scope = SCOPE.get();
        scope.depth++;
        try {
            publishing.run();
        }
        finally {
            List<ClientSessionDecorator> pending = end(scope);
            if (pending != null) {
                writeInParts(pending, handOff);
            }
        }
    }

    /**
     * Leaves {@code scope}; returns the connections to write if that closed the outermost one.
     * A write may close a session, whose disconnect is handled in a scope of its own.
     */
    private static @Nullable List<ClientSessionDecorator> end(Scope scope) {
        if (--scope.depth > 0 || scope.pending == null) {
            return null;
        }
        List<ClientSessionDecorator> pending = scope.pending;
        scope.pending = null;
        return pending;
    }

    private static void writeInParts(List<ClientSessionDecorator> pending, HandOff handOff) {
        int size = pending.size();
        if (size <= WRITES_ON_POLLER) {
            flush(pending);
            return;
        }
        for (int from = 0; from < size; from += WRITES_ON_POLLER) {
            List<ClientSessionDecorator> part = pending.subList(from, Math.min(size, from + WRITES_ON_POLLER));
            if (!handOff.handOff(() -> flush(part))) {
                flush(part);
            }
        }
    }

    private static void flush(List<ClientSessionDecorator> pending) {
        for (ClientSessionDecorator connection : pending) {
            try {
                connection.flush();
            }
            catch (RuntimeException ex) {
                // closing a failed one can throw (its scheduler gone at shutdown); the others
                // still wait for this flush, as a deferred connection starts no write itself
                logger.warn("Writing to connection " + connection.getId() + " failed", ex);
            }
        }
    }

    /**
     * Takes the writes of a large broadcast off a thread that should not make them all itself
     * (Tomcat's poller, which would read no other connection meanwhile). Given from outside: the
     * threads are the container's.
     */
    @FunctionalInterface
    public interface HandOff {

        /**
         * Hands {@code writes} to other threads and returns {@code true}; returns {@code false}
         * if the caller is to run them.
         */
        boolean handOff(Runnable writes);
    }

    private static final class Scope {

        private int depth;

        private @Nullable List<ClientSessionDecorator> pending;
    }
}
