package dev.parley.bench;

import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The live counters of one measured step (a run has one, a sweep one per rate). Only messages sent
 * in the step's measured window are counted: each adds its room's subscriber count to the
 * deliveries expected; each delivery of one of them is first (received), out of order (received,
 * counted also as out of order) or a duplicate. Deliveries arriving after the step is
 * {@link #close() closed} (after the drain period) are counted as late, not received: they are
 * lost as far as the step is concerned. Thread-safe.
 */
public final class Step {

    /**
     * Where a delivery went, in a cluster: from the sender's instance to a receiver on the same
     * one, or across to another (through the instances' bus), or unknown (a sender the bench
     * cannot place). With one instance every delivery is on the same.
     */
    public enum Route {
        SAME_INSTANCE, CROSS_INSTANCE, UNKNOWN
    }

    private final int index;

    private final double rate;

    private final LongAdder sent = new LongAdder();

    private final LongAdder sendErrors = new LongAdder();

    private final LongAdder expected = new LongAdder();

    private final LongAdder received = new LongAdder();

    private final LongAdder duplicates = new LongAdder();

    private final LongAdder outOfOrder = new LongAdder();

    private final LongAdder outOfOrderBySender = new LongAdder();

    private final LongAdder late = new LongAdder();

    private final Recorder latencyMicros = new Recorder(3_600_000_000L, 3);

    private final Histogram latency = LatencySummary.newMicrosHistogram();

    private final Recorder sameInstanceMicros = new Recorder(3_600_000_000L, 3);

    private final Recorder crossInstanceMicros = new Recorder(3_600_000_000L, 3);

    private final Histogram sameInstance = LatencySummary.newMicrosHistogram();

    private final Histogram crossInstance = LatencySummary.newMicrosHistogram();

    private final Histogram lagMicros = LatencySummary.newMicrosHistogram();

    private volatile long lastLagNanos;

    private volatile boolean closed;

    public Step(int index, double rate) {
        this.index = index;
        this.rate = rate;
    }

    public int index() {
        return this.index;
    }

    public double rate() {
        return this.rate;
    }

    /**
     * A measured message was handed to its sender's connection.
     *
     * @param subscribers the room's subscribers, each of which should receive it
     * @param lagNanos how late the send was against the open-loop schedule
     */
    public void sent(int subscribers, long lagNanos) {
        this.sent.increment();
        this.expected.add(subscribers);
        // one scheduler thread sends: the lag histogram has one writer
        synchronized (this.lagMicros) {
            this.lagMicros.recordValue(Math.max(0, lagNanos) / 1000);
        }
        this.lastLagNanos = lagNanos;
    }

    public void sendFailed() {
        this.sendErrors.increment();
    }

    /** A measured message reached a subscriber. */
    public void delivered(DeliveryLedger.Outcome outcome, long latencyNanos) {
        delivered(outcome, latencyNanos, false);
    }

    /**
     * A measured message reached a subscriber.
     *
     * @param outOfSenderOrder it arrived after a later message of the same sender
     * ({@link DeliveryLedger#outOfSenderOrder(int, int)}); counted apart from {@code outcome}'s
     * out of order, which may be by id
     */
    public void delivered(DeliveryLedger.Outcome outcome, long latencyNanos, boolean outOfSenderOrder) {
        delivered(outcome, latencyNanos, outOfSenderOrder, Route.SAME_INSTANCE);
    }

    /**
     * A measured message reached a subscriber, by {@code route}: its latency goes into the
     * histogram of all deliveries and into the one of its route (unless unknown).
     */
    public void delivered(DeliveryLedger.Outcome outcome, long latencyNanos, boolean outOfSenderOrder, Route route) {
        if (this.closed) {
            this.late.increment();
            return;
        }
        switch (outcome) {
            case DUPLICATE -> this.duplicates.increment();
            case OUT_OF_ORDER -> {
                this.received.increment();
                this.outOfOrder.increment();
                recordLatency(latencyNanos, route);
            }
            case FIRST -> {
                this.received.increment();
                recordLatency(latencyNanos, route);
            }
        }
        if (outOfSenderOrder && outcome != DeliveryLedger.Outcome.DUPLICATE) {
            this.outOfOrderBySender.increment();
        }
    }

    private void recordLatency(long latencyNanos, Route route) {
        long micros = Math.max(0, latencyNanos) / 1000;
        this.latencyMicros.recordValue(micros);
        switch (route) {
            case SAME_INSTANCE -> this.sameInstanceMicros.recordValue(micros);
            case CROSS_INSTANCE -> this.crossInstanceMicros.recordValue(micros);
            case UNKNOWN -> {
                // in the histogram of all deliveries only
            }
        }
    }

    /** Ends the step: later deliveries count as late. */
    public void close() {
        this.closed = true;
    }

    public long sentCount() {
        return this.sent.sum();
    }

    public long expectedCount() {
        return this.expected.sum();
    }

    public long receivedCount() {
        return this.received.sum();
    }

    public long duplicateCount() {
        return this.duplicates.sum();
    }

    public long outOfOrderCount() {
        return this.outOfOrder.sum();
    }

    public long outOfOrderBySenderCount() {
        return this.outOfOrderBySender.sum();
    }

    public long lateCount() {
        return this.late.sum();
    }

    public long sendErrorCount() {
        return this.sendErrors.sum();
    }

    /** Deliveries expected but not received (never negative). */
    public long lostCount() {
        return Math.max(0, expectedCount() - receivedCount());
    }

    public long lastLagNanos() {
        return this.lastLagNanos;
    }

    /** All latencies recorded so far (microseconds). */
    public synchronized Histogram latencyMicros() {
        this.latency.add(this.latencyMicros.getIntervalHistogram());
        return this.latency.copy();
    }

    public Histogram lagMicros() {
        synchronized (this.lagMicros) {
            return this.lagMicros.copy();
        }
    }

    /** The latencies of deliveries whose sender and receiver were on the same instance (microseconds). */
    public synchronized Histogram sameInstanceMicros() {
        this.sameInstance.add(this.sameInstanceMicros.getIntervalHistogram());
        return this.sameInstance.copy();
    }

    /** The latencies of deliveries that crossed from the sender's instance to another (microseconds). */
    public synchronized Histogram crossInstanceMicros() {
        this.crossInstance.add(this.crossInstanceMicros.getIntervalHistogram());
        return this.crossInstance.copy();
    }
}
