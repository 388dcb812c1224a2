package dev.parley.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.RedisTemplate;

/**
 * Publishes room events on one Redis channel from a thread of its own, in the order they were
 * handed over, so that a Redis that is slow or away (each command then waits for its timeout)
 * never holds the group commit or a client's frame. What waits when the thread comes round is
 * sent as one pipeline: under load, one round trip carries many events rather than one each.
 * <p>
 * At most {@value #CAPACITY} events wait; what does not fit is dropped, and the other instances
 * read it from the store at their next catch-up.
 */
final class RedisPublisher implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(RedisPublisher.class);

    static final int CAPACITY = 10_000;

    /** Most events in one pipeline, so that one slow batch holds back few. */
    static final int BATCH = 256;

    private final BlockingQueue<byte[]> waiting = new ArrayBlockingQueue<>(CAPACITY);

    private final RedisTemplate<String, byte[]> redis;

    private final byte[] channel;

    private final RedisAvailability availability;

    private final Thread thread;

    private volatile boolean stopped;

    RedisPublisher(RedisTemplate<String, byte[]> redis, String channel, RedisAvailability availability) {
        this.redis = redis;
        this.channel = channel.getBytes(StandardCharsets.UTF_8);
        this.availability = availability;
        this.thread = new Thread(this::run, "parley-redis-publish");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues one event; {@code false} when it was dropped because too many are waiting. */
    boolean offer(byte[] event) {
        return !this.stopped && this.waiting.offer(event);
    }

    /** Stops publishing; what waits is dropped (the context is closing). */
    @Override
    public void close() {
        this.stopped = true;
        this.thread.interrupt();
    }

    private void run() {
        List<byte[]> batch = new ArrayList<>(BATCH);
        while (!this.stopped) {
            try {
                batch.add(this.waiting.take());
            }
            catch (InterruptedException ex) {
                return;
            }
            this.waiting.drainTo(batch, BATCH - 1);
            publish(batch);
            batch.clear();
        }
    }

    private void publish(List<byte[]> batch) {
        try {
            if (batch.size() == 1) {
                this.redis.execute((RedisCallback<Long>) connection -> connection.publish(this.channel, batch.get(0)));
            }
            else {
                this.redis.executePipelined((RedisCallback<Object>) connection -> publishAll(connection, batch));
            }
        }
        catch (RuntimeException ex) {
            // delivered here already; the other instances read these from the store when they catch up
            if (!this.stopped) {
                this.availability.failed(ex);
            }
            else {
                logger.debug("Events not published while stopping", ex);
            }
        }
    }

    private Object publishAll(RedisConnection connection, List<byte[]> batch) {
        for (byte[] event : batch) {
            connection.publish(this.channel, event);
        }
        return null;
    }
}
