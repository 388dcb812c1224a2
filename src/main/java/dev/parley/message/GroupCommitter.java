package dev.parley.message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.parley.bus.RoomBus;
import dev.parley.config.ChatProperties;
import dev.parley.core.ChatException;
import dev.parley.core.ErrorCode;
import dev.parley.message.MessageHistory.Draft;
import dev.parley.web.ErrorReplies;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Stores posted messages and then broadcasts them: the one thread that appends to the history on
 * this instance. Whatever is waiting when it is free goes into one transaction (a group commit),
 * so a commit, and with {@code chat.store.fsync} a flush to the disk, is paid once per group and
 * not once per message. Each message is broadcast, and so echoed to its sender, only once its
 * group is committed: the echo means the message survives a crash of the process.
 * <p>
 * Order: messages are stored in the order they were submitted, so a room's ids follow it, and a
 * connection's messages, submitted from the thread that handles its frames one after another,
 * are stored in the order it sent them. They are broadcast from this one thread in the same
 * order, so every subscriber receives a room's messages in id order.
 * <p>
 * The frame's handling never waits for the disk: it ends once the message is queued. When a
 * group fails, each of its senders is told on {@code /user/queue/errors}, and nothing of the
 * group is stored or broadcast.
 */
@Component
class GroupCommitter implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(GroupCommitter.class);

    /** Most messages in one transaction: a few milliseconds of inserts. */
    static final int MAX_GROUP = 256;

    private final MessageHistory history;

    private final RoomBus bus;

    private final ErrorReplies errors;

    private final BlockingQueue<Post> queue;

    private final Timer commits;

    private final Counter stored;

    private volatile boolean running;

    private @Nullable Thread thread;

    GroupCommitter(MessageHistory history, RoomBus bus, ErrorReplies errors, ChatProperties properties,
            MeterRegistry meters) {
        this.history = history;
        this.bus = bus;
        this.errors = errors;
        this.queue = new LinkedBlockingQueue<>(properties.store().maxPending());
        // Buckets rather than percentiles computed here: Prometheus adds buckets up across
        // instances (histogram_quantile), and its registry drops the percentiles when both are
        // asked for. A commit of SQLite in WAL mode without fsync takes well under a millisecond:
        // the default buckets would start at 1 ms.
        this.commits = Timer.builder("parley.store.commit")
            .description("Time to store one group of messages in one transaction, failed ones included")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(100_000))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(meters);
        this.stored = Counter.builder("parley.messages.stored")
            .description("Messages stored (a clientId retried after it was stored is not stored again)")
            .register(meters);
        Gauge.builder("parley.store.pending", this.queue, BlockingQueue::size)
            .description("Messages accepted and waiting to be stored; at chat.store.max-pending sends are refused")
            .register(meters);
    }

    /** A message waiting to be stored, with where to send an error if it cannot be. */
    record Post(Draft draft, String user, String sessionId, String destination) {
    }

    /**
     * Queues a message to be stored and then broadcast; returns at once.
     *
     * @throws ChatException {@code INTERNAL_ERROR} when {@code chat.store.max-pending} messages
     * are waiting already (nothing is stored)
     */
    void submit(Post post) {
        if (!this.queue.offer(post)) {
            throw new ChatException(ErrorCode.INTERNAL_ERROR,
                    "the server is too busy to store messages; nothing was stored, send it again later");
        }
    }

    @Override
    public void start() {
        this.running = true;
        Thread writer = new Thread(this::run, "parley-group-commit");
        writer.setDaemon(true);
        this.thread = writer;
        writer.start();
    }

    /** Stores and broadcasts whatever is queued, then ends. */
    @Override
    public void stop() {
        this.running = false;
        Thread writer = this.thread;
        if (writer != null) {
            try {
                writer.join(TimeUnit.SECONDS.toMillis(10));
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return this.running;
    }

    /** Stops after the WebSocket handling (which stops at Integer.MAX_VALUE), before the database. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }

    private void run() {
        List<Post> group = new ArrayList<>(MAX_GROUP);
        while (this.running || !this.queue.isEmpty()) {
            try {
                Post first = this.queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                this.queue.drainTo(group, MAX_GROUP - 1);
                commit(group);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            catch (RuntimeException ex) {
                logger.error("The group commit failed unexpectedly", ex);
            }
            finally {
                group.clear();
            }
        }
    }

    private void commit(List<Post> group) {
        List<Optional<ChatMessage>> stored;
        long started = System.nanoTime();
        try {
            stored = this.history.appendAll(group.stream().map(Post::draft).toList());
        }
        catch (RuntimeException ex) {
            this.commits.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            logger.error("Failed to store {} messages: nothing of them was stored", group.size(), ex);
            for (Post post : group) {
                ClientId clientId = post.draft().clientId();
                this.errors.send(post.user(), post.sessionId(), ErrorCode.INTERNAL_ERROR,
                        "the server failed; nothing was stored", post.destination(),
                        (clientId != null) ? clientId.value() : null);
            }
            return;
        }
        this.commits.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        this.stored.increment(stored.stream().filter(Optional::isPresent).count());
        for (int i = 0; i < group.size(); i++) {
            // empty: a repeated clientId, stored before and broadcast then
            stored.get(i).ifPresent(this::publish);
        }
    }

    /** One message's broadcast failing must not keep the rest of its group from theirs. */
    private void publish(ChatMessage message) {
        try {
            this.bus.publishInOrder(message.room(), message.id(), message);
        }
        catch (RuntimeException ex) {
            logger.error("Stored message {} of room '{}' could not be broadcast; clients read it from the history",
                    message.id(), message.room(), ex);
        }
    }
}
