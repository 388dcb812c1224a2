package dev.parley.delivery.session;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.WebSocketSessionDecorator;
import org.springframework.web.socket.sockjs.transport.session.AbstractHttpSockJsSession;

/**
 * Everything sent to one client connection: a queue of STOMP frames that one write at a time
 * takes to the client, so that no sender ever waits for a client's socket.
 * <p>
 * <b>Never blocking the sender.</b> {@link #sendMessage} and {@link #sendFrame} only queue the
 * frame and, if no write is under way, start one; the next write starts when the previous one
 * completes and takes every frame queued meanwhile as one WebSocket message (STOMP allows
 * several frames in one message; {@code stomp.js} and Spring's decoder split them). The room
 * broadcast, which runs under the room's lock, thus never waits for a slow client, and a busy
 * client costs fewer writes. A heart-beat never shares a message with frames: {@code stomp.js}
 * loses a frame that follows an EOL at the start of a message, and frames show that the
 * connection is alive as well as a heart-beat does. A write is first tried without blocking on
 * the thread that queued the frame (after the client frame it is handling,
 * {@link InboundWriteScope}), and usually completes there; what the client's socket cannot take
 * at once completes later on another thread ({@link ClientFrameWriter}).
 * <p>
 * <b>Cutting off slow readers.</b> A client whose write has been under way for longer than the
 * send time limit, or whose queue would grow beyond the buffer size limit, is closed with
 * Spring's 4500 (session not reliable, as Spring's own decorator does) and its queue dropped:
 * the server keeps no unbounded backlog, and the client catches up from history when it
 * reconnects. The limit bounds the queue, not the burst: frames that pile up faster than one
 * write takes them out count as well. The operating system's socket buffer comes on top (on
 * loopback Linux grows it to 4 MB): a client is found slow only once that is full.
 * <p>
 * <b>Order.</b> Frames leave in the order they were queued, and each is queued on the thread
 * that published it, so a client sees a room's events in the order they were published.
 * <p>
 * <b>ERROR before close.</b> Spring closes a STOMP connection right after queueing an ERROR
 * frame. A close waits (up to half a second) until the frames queued before it are written. A
 * SockJS session over HTTP then still holds the ERROR in its cache until the next poll, and
 * closing it would discard the cache: its close is put off a moment, for the poll the client
 * makes at once, and a heart-beat pushes the cache out before the close.
 * <p>
 * <b>The client's heart-beats.</b> One thing it follows of what the client sends: whether
 * Spring's decoder holds part of a frame, so that a message of heart-beats alone
 * ({@link #receivedOnlyHeartbeats}) can reach the broker without Spring's decoding (an idle
 * client's only traffic).
 */
public final class ClientSessionDecorator extends WebSocketSessionDecorator {

    private static final Log logger = LogFactory.getLog(ClientSessionDecorator.class);

    private static final byte[] HEARTBEAT = { '\n' };

    /** The connection whose message is being handled on this thread ({@link #receive}). */
    private static final ThreadLocal<ClientSessionDecorator> RECEIVING = new ThreadLocal<>();

    /** Frames queued behind a write are merged into messages of up to this size. */
    private static final int BATCH_BYTES = 32 * 1024;

    private static final Duration CLOSE_GRACE = Duration.ofMillis(500);

    private static final CloseStatus TOO_SLOW = CloseStatus.SESSION_NOT_RELIABLE
            .withReason("Too slow to read: send limit exceeded");

    private enum State { OPEN, CLOSING, CLOSED }

    private final ClientFrameWriter writer;

    /** {@link #written}, as one object for every write rather than a new one per write. */
    private final Consumer<Throwable> onWritten = this::written;

    private final long sendTimeLimitNanos;

    private final int bufferSizeLimit;

    private final Supplier<TaskScheduler> scheduler;

    /** Counts the slow clients cut off, across the connections that share it. */
    private final LongAdder cutOffs;

    private final Object lock = new Object();

    /** Created at the first frame that has to wait: most idle connections never need one. */
    private ArrayDeque<byte[]> queue;

    private int queuedBytes;

    private boolean writing;

    /** Whether this connection waits in an {@link InboundWriteScope} for its write to start. */
    private boolean deferred;

    /** When the last write started; a connection that never wrote counts from its creation. */
    private long writeStartedNanos = System.nanoTime();

    /**
     * Whether Spring's decoder kept nothing of the client's bytes after decoding its last
     * message: no part of a frame waits for the rest ({@link CompleteFramesDecoder} tells).
     */
    private boolean betweenFrames;

    /** Whether a frame (not a heart-beat) has been decoded from the client: its CONNECT. */
    private boolean framed;

    private State state = State.OPEN;

    private CloseStatus closeStatus;

    /**
     * @param cutOffs counted up when this connection is cut off as too slow (shared by all
     *        connections: the metric of slow clients)
     */
    public ClientSessionDecorator(WebSocketSession session, ClientFrameWriter writer, int sendTimeLimitMillis,
            int bufferSizeLimit, Supplier<TaskScheduler> scheduler, LongAdder cutOffs) {
        super(session);
        this.writer = writer;
        this.sendTimeLimitNanos = TimeUnit.MILLISECONDS.toNanos(sendTimeLimitMillis);
        this.bufferSizeLimit = bufferSizeLimit;
        this.scheduler = scheduler;
        this.cutOffs = cutOffs;
    }

    /** Spring's STOMP handler sends every frame as a text message, encoded in UTF-8. */
    @Override
    public void sendMessage(WebSocketMessage<?> message) throws IOException {
        if (message instanceof TextMessage text) {
            sendFrame(text.asBytes());
        }
        else {
            throw new IOException("Only text frames are sent to STOMP clients, not " + message);
        }
    }

    /**
     * Queues one or more whole STOMP frames (UTF-8) to be written after those queued before. A
     * session that is closing or closed takes nothing more.
     */
    public void sendFrame(byte[] frame) {
        byte[] batch;
        synchronized (this.lock) {
            if (this.state != State.OPEN) {
                return;
            }
            if (this.writing && exceedsLimits(frame.length)) {
                cutOff();
                return;
            }
            if (isHeartbeat(frame) && this.queue != null && !this.queue.isEmpty()) {
                // what is queued already tells the client that the connection is alive
                return;
            }
            if (this.queue == null) {
                this.queue = new ArrayDeque<>();
            }
            this.queue.add(frame);
            this.queuedBytes += frame.length;
            if (this.writing || this.deferred) {
                return;
            }
            if (InboundWriteScope.defer(this)) {
                this.deferred = true;
                return;
            }
            batch = nextBatch();
        }
        write(batch);
    }

    /** Starts writing what is queued unless a write is under way ({@link InboundWriteScope}). */
    void flush() {
        byte[] batch;
        synchronized (this.lock) {
            this.deferred = false;
            if (this.writing || this.queue == null || this.queue.isEmpty() || this.state == State.CLOSED) {
                return;
            }
            batch = nextBatch();
        }
        write(batch);
    }

    /**
     * Queues a heart-beat if nothing has been written to this connection for {@code quietNanos}
     * and nothing waits to be. Over SockJS's HTTP transports the server learns that a client is
     * gone only when a write to it fails ({@link HttpSessionLiveness}). Returns whether one was
     * queued.
     */
    boolean probeIfQuiet(long quietNanos) {
        synchronized (this.lock) {
            if (this.state != State.OPEN || this.writing || (this.queue != null && !this.queue.isEmpty())
                    || System.nanoTime() - this.writeStartedNanos < quietNanos) {
                return false;
            }
        }
        sendFrame(HEARTBEAT);
        return true;
    }

    /** How long ago the last write to this connection started, in nanoseconds. */
    long nanosSinceWrite() {
        synchronized (this.lock) {
            return System.nanoTime() - this.writeStartedNanos;
        }
    }

    /**
     * Whether {@code message} from the client is heart-beats and nothing else: end-of-lines only,
     * after the client's first frame, with nothing of a frame waiting in Spring's decoder for
     * more (which end-of-lines might belong to). Such a message needs no decoding. Every other
     * message goes through {@link #receive}.
     */
    public boolean receivedOnlyHeartbeats(WebSocketMessage<?> message) {
        synchronized (this.lock) {
            if (!this.framed || !this.betweenFrames) {
                return false;
            }
        }
        return message instanceof TextMessage text && isEndOfLines(text.getPayload());
    }

    /**
     * Runs Spring's handling of a message from the client, during which the STOMP decoder says
     * what it kept ({@link #decoded}). A message that does not reach the decoder (a pong) leaves
     * what is known as it was; one that does and is not decoded, because the decoder waits for
     * the rest of a body of known length, leaves the client within a frame.
     */
    public void receive(WebSocketMessage<?> message, Receiving handling) throws Exception {
        if (message instanceof TextMessage || message instanceof BinaryMessage) {
            synchronized (this.lock) {
                this.betweenFrames = false;
            }
        }
        ClientSessionDecorator outer = RECEIVING.get();
        RECEIVING.set(this);
        try {
            handling.run();
        }
        finally {
            if (outer != null) {
                RECEIVING.set(outer);
            }
            else {
                RECEIVING.remove();
            }
        }
    }

    /**
     * Called by the decoder, on the thread of {@link #receive}, after each decoding of the
     * client's bytes: whether it decoded a frame, and whether it kept bytes for the next part.
     */
    static void decoded(boolean frame, boolean bytesKept) {
        ClientSessionDecorator connection = RECEIVING.get();
        if (connection == null) {
            return;
        }
        synchronized (connection.lock) {
            connection.framed |= frame;
            connection.betweenFrames = !bytesKept;
        }
    }

    /** Spring's handling of one message from the client. */
    @FunctionalInterface
    public interface Receiving {

        void run() throws Exception;
    }

    /** One or more STOMP EOLs ({@code \n} or {@code \r\n}) and nothing else. */
    private static boolean isEndOfLines(String payload) {
        if (payload.isEmpty()) {
            return false;
        }
        for (int i = 0; i < payload.length(); i++) {
            char c = payload.charAt(i);
            if (c == '\r' && i + 1 < payload.length() && payload.charAt(i + 1) == '\n') {
                i++;
            }
            else if (c != '\n') {
                return false;
            }
        }
        return true;
    }

    /** Spring's STOMP heart-beat: a message of one EOL. */
    private static boolean isHeartbeat(byte[] frame) {
        return frame.length == 1 && frame[0] == '\n';
    }

    private boolean exceedsLimits(int frameLength) {
        return this.queuedBytes + frameLength > this.bufferSizeLimit
                || System.nanoTime() - this.writeStartedNanos > this.sendTimeLimitNanos;
    }

    /** Takes the queue's head, and whatever follows it up to a batch's size, as one message. */
    private byte[] nextBatch() {
        this.writing = true;
        this.writeStartedNanos = System.nanoTime();
        byte[] first = this.queue.poll();
        if (isHeartbeat(first) && !this.queue.isEmpty()) {
            // Left out: stomp.js (the browser page's client) reads a message that starts with an
            // EOL as a frame without a command and drops it, with the frame that follows. The
            // frames tell the client that the connection is alive. Only the head can be one:
            // sendFrame drops a heart-beat queued behind anything.
            this.queuedBytes -= first.length;
            first = this.queue.poll();
        }
        int length = first.length;
        int count = 1;
        for (byte[] next : this.queue) {
            if (length + next.length > BATCH_BYTES) {
                break;
            }
            length += next.length;
            count++;
        }
        this.queuedBytes -= length;
        if (count == 1) {
            return first;
        }
        byte[] batch = new byte[length];
        System.arraycopy(first, 0, batch, 0, first.length);
        int offset = first.length;
        for (int i = 1; i < count; i++) {
            byte[] next = this.queue.poll();
            System.arraycopy(next, 0, batch, offset, next.length);
            offset += next.length;
        }
        return batch;
    }

    /**
     * Writes {@code batch}, then each batch queued meanwhile for as long as the writes complete
     * at once; a write left under way continues in {@link #written}.
     */
    private void write(byte @Nullable [] batch) {
        while (batch != null) {
            boolean writtenAtOnce;
            try {
                writtenAtOnce = this.writer.write(batch, this.onWritten);
            }
            catch (RuntimeException ex) {
                written(ex);
                return;
            }
            if (!writtenAtOnce) {
                return;
            }
            batch = afterWrite(null);
        }
    }

    /** Called when a write under way completes. */
    private void written(@Nullable Throwable failure) {
        write(afterWrite(failure));
    }

    /**
     * After a write: returns the next batch to write, if any; otherwise finishes a close that
     * was waiting for the write, or closes the session the write failed on.
     */
    private byte @Nullable [] afterWrite(@Nullable Throwable failure) {
        byte[] batch = null;
        CloseStatus close = null;
        synchronized (this.lock) {
            this.writing = false;
            if (failure != null) {
                if (this.state != State.CLOSED) {
                    logger.debug("Write to " + getId() + " failed, closing it", failure);
                    this.state = State.CLOSED;
                    this.queue = null;
                    this.queuedBytes = 0;
                    close = CloseStatus.SESSION_NOT_RELIABLE;
                }
            }
            else if (this.queue != null && !this.queue.isEmpty() && this.state != State.CLOSED) {
                batch = nextBatch();
            }
            else if (this.state == State.CLOSING) {
                this.state = State.CLOSED;
                close = this.closeStatus;
            }
        }
        if (failure != null && close != null) {
            closeLater(close);
        }
        else if (close != null) {
            finishClose(close);
        }
        return batch;
    }

    private void cutOff() {
        logger.debug("Cutting off " + getId() + ": " + this.queuedBytes + " bytes queued, write under way for "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.writeStartedNanos) + " ms");
        this.state = State.CLOSED;
        this.queue = null;
        this.queuedBytes = 0;
        this.cutOffs.increment();
        closeLater(TOO_SLOW);
    }

    @Override
    public void close() throws IOException {
        close(CloseStatus.NORMAL);
    }

    /** Closes once the frames queued so far are written, or after half a second at most. */
    @Override
    public void close(CloseStatus status) throws IOException {
        boolean waitForWrites;
        synchronized (this.lock) {
            if (this.state != State.OPEN) {
                return;
            }
            waitForWrites = this.writing || (this.queue != null && !this.queue.isEmpty());
            if (waitForWrites) {
                this.state = State.CLOSING;
                this.closeStatus = status;
            }
            else {
                this.state = State.CLOSED;
            }
        }
        if (waitForWrites) {
            schedule(this::closeIfStillWriting, CLOSE_GRACE);
        }
        else {
            finishClose(status);
        }
    }

    private void closeIfStillWriting() {
        CloseStatus status;
        synchronized (this.lock) {
            if (this.state != State.CLOSING) {
                return;
            }
            this.state = State.CLOSED;
            this.queue = null;
            this.queuedBytes = 0;
            status = this.closeStatus;
        }
        closeDelegate(status);
    }

    private void finishClose(CloseStatus status) {
        if (CloseStatus.PROTOCOL_ERROR.equals(status) && getDelegate() instanceof AbstractHttpSockJsSession) {
            schedule(() -> flushSockJsCacheAndClose(status), CLOSE_GRACE);
            return;
        }
        closeDelegate(status);
    }

    /**
     * SockJS over HTTP may still hold the ERROR in its cache: between two polls, or when it
     * arrived while a poll was being set up. A heart-beat written now goes out with everything
     * cached, into the poll the client has made meanwhile.
     */
    private void flushSockJsCacheAndClose(CloseStatus status) {
        synchronized (getDelegate()) {
            try {
                getDelegate().sendMessage(new TextMessage(HEARTBEAT));
            }
            catch (IOException | RuntimeException ex) {
                // nothing more can reach the client: just close
            }
            closeDelegate(status);
        }
    }

    /** A close that may have to wait for a stuck socket runs on the scheduler, not the sender. */
    private void closeLater(CloseStatus status) {
        schedule(() -> closeDelegate(status), Duration.ZERO);
    }

    /**
     * Runs {@code task} on the broker's scheduler after {@code delay}; at once, on this thread,
     * once the scheduler has shut down (the server is stopping and closing every connection).
     */
    private void schedule(Runnable task, Duration delay) {
        try {
            this.scheduler.get().schedule(task, Instant.now().plus(delay));
        }
        catch (RejectedExecutionException ex) {
            task.run();
        }
    }

    private void closeDelegate(CloseStatus status) {
        synchronized (getDelegate()) {
            try {
                getDelegate().close(status);
            }
            catch (IOException | RuntimeException ex) {
                // the client is gone already, which is what a close was for
            }
        }
    }

    /**
     * Waits until no send to or close of the session behind this one, made by Parley's threads,
     * is under way. Each holds that session's monitor ({@link ClientFrameWriter} holds it for
     * SockJS over HTTP; Spring itself never locks on a session object).
     * <p>
     * Why: when a write to a SockJS response fails on a thread that is not Tomcat's, Tomcat hands
     * the failure to one of its own threads before the write has returned, and that thread may end
     * the request and give its recycled objects to a new connection while the failing write is
     * still leaving its error behind: the new connection's first write then failed with the old
     * one's error, and its SockJS session closed with 1011 before it was open (1 to 3 in 1,000
     * xhr-streaming connects under churn). {@link SockJsRequestErrors} calls this before it lets
     * Tomcat end a failed request.
     */
    void awaitTransport() {
        synchronized (getDelegate()) {
            // nothing: holding the monitor once is the wait
        }
    }

    /** Bytes queued and not yet handed to a write (a metric: read when scraped, not per frame). */
    public int queuedBytes() {
        synchronized (this.lock) {
            return this.queuedBytes;
        }
    }
}
