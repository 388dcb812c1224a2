package dev.parley.message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

import dev.parley.config.ChatProperties;
import dev.parley.core.BroadcastBatches;
import dev.parley.core.ChatException;
import dev.parley.core.ErrorCode;
import dev.parley.web.ErrorReplies;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Stores posted messages and then broadcasts them: the one thread that appends to the history on
 * this instance. Whatever is waiting when it is free goes into one transaction (a group commit),
 * so a commit, and with {@code chat.store.fsync} a flush to the disk, is paid once per group and
 * not once per message. Each message is broadcast, and so echoed to its sender, only once its
 * group is committed: the echo means the message survives a crash of the process.
 * <p>
 * It stores every kind of sequenced message, each through its {@link Journal}: rooms' messages,
 * and private conversations' ({@code dev.parley.direct}). A group holding both kinds is one
 * transaction per kind, each all or nothing, each published once it is committed.
 * <p>
 * Order: messages are stored in the order they were submitted, so a room's ids follow it, and a
 * connection's messages, submitted from the thread that handles its frames one after another,
 * are stored in the order it sent them. They are broadcast from this one thread in the same
 * order, so every subscriber receives a room's messages in id order; a group's broadcasts are
 * one batch ({@link BroadcastBatches}), written to each subscriber once the group is published.
 * <p>
 * The frame's handling never waits for the disk: it ends once the message is queued. When a
 * group fails, each of its senders is told on {@code /user/queue/errors}, and nothing of the
 * group is stored or broadcast.
 */
@Component
public class GroupCommitter implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(GroupCommitter.class);

    /** Most messages in one transaction: a few milliseconds of inserts. */
    static final int MAX_GROUP = 256;

    private final ErrorReplies errors;

    private final BroadcastBatches broadcasts;

    private final BlockingQueue<Post<?>> queue;

    private final Timer commits;

    private final Counter stored;

    private volatile boolean running;

    private @Nullable Thread thread;

    GroupCommitter(ErrorReplies errors, ChatProperties properties, MeterRegistry meters,
            ObjectProvider<BroadcastBatches> broadcasts) {
        this.errors = errors;
        this.broadcasts = broadcasts.getIfAvailable(() -> BroadcastBatches.ONE_BY_ONE);
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

    /**
     * A kind of message the group commit stores, each with the next id of its sequence, and then
     * publishes.
     *
     * @param <D> a message to be stored: everything but its id
     * @param <M> a stored message
     */
    public interface Journal<D, M> {

        /**
         * Stores the drafts in one transaction, each as the next of its sequence in list order;
         * all or, when this throws, none.
         *
         * @return for each draft, in order, the stored message, or empty where its
         * {@code clientId} was already used (nothing stored)
         */
        List<Optional<M>> appendAll(List<D> drafts);

        /** Publishes a stored message; called on the commit's thread, in id order per sequence. */
        void publish(M message);
    }

    /**
     * A message waiting to be stored, with where to send an error if it cannot be.
     *
     * @param clientId the frame's {@code clientId}, for the error reply
     */
    public record Post<D>(Journal<D, ?> journal, D draft, String user, String sessionId, String destination,
            @Nullable String clientId) {
    }

    /**
     * Queues a message to be stored and then broadcast; returns at once.
     *
     * @throws ChatException {@code INTERNAL_ERROR} when {@code chat.store.max-pending} messages
     * are waiting already (nothing is stored)
     */
    public void submit(Post<?> post) {
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
        List<Post<?>> group = new ArrayList<>(MAX_GROUP);
        while (this.running || !this.queue.isEmpty()) {
            try {
                Post<?> first = this.queue.poll(100, TimeUnit.MILLISECONDS);
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

    private void commit(List<Post<?>> group) {
        Map<Journal<?, ?>, List<Post<?>>> byJournal = new LinkedHashMap<>();
        for (Post<?> post : group) {
            byJournal.computeIfAbsent(post.journal(), journal -> new ArrayList<>()).add(post);
        }
        byJournal.values().forEach(GroupCommitter.this::commitOneKind);
    }

    @SuppressWarnings("unchecked")
    private <D, M> void commitOneKind(List<Post<?>> posts) {
        Journal<D, M> journal = (Journal<D, M>) posts.get(0).journal();
        List<Optional<M>> stored;
        long started = System.nanoTime();
        try {
            stored = journal.appendAll(posts.stream().map(post -> (D) post.draft()).toList());
        }
        catch (RuntimeException ex) {
            this.commits.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            logger.error("Failed to store {} messages: nothing of them was stored", posts.size(), ex);
            for (Post<?> post : posts) {
                this.errors.send(post.user(), post.sessionId(), ErrorCode.INTERNAL_ERROR,
                        "the server failed; nothing was stored", post.destination(), post.clientId());
            }
            return;
        }
        this.commits.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        this.stored.increment(stored.stream().filter(Optional::isPresent).count());
        // one batch: a client that several of the group's messages reach gets them in one write
        this.broadcasts.run(() -> {
            for (Optional<M> message : stored) {
                // empty: a repeated clientId, stored before and broadcast then
                message.ifPresent(journal::publish);
            }
        });
    }
}
