package dev.parley.delivery.tomcat;

/**
 * Whether the poller has time to handle frames itself ({@link PollerReads}): it does as long as
 * handling them would take less than {@link #BUSY_SHARE} of its time, estimated window by window
 * from the frames that arrived and what handling one took lately. Above that, frames go to the
 * worker threads, which handle several at once on several cores: a room of 500 receives 500
 * writes per message, and on one thread the big room's sweep topped out at 50,000 deliveries/s,
 * against 125,000 with workers (docs/performance.md, session 7).
 * <p>
 * Only the poller thread calls it: no synchronisation.
 */
final class PollerLoad {

    /** Share of the poller's time that handling frames may take. */
    static final double BUSY_SHARE = 0.5;

    /** How often the choice is made again. */
    static final long WINDOW_NANOS = 100_000_000;

    /** Weight of the latest handling in the average cost of one: about the last 32. */
    private static final double SMOOTHING = 1.0 / 32;

    /**
     * While frames go to the workers, one in this many is still handled on the poller, so that
     * the cost of one stays up to date: frames handled while the JIT compiler had not yet
     * compiled their code took several times as long as later ones.
     */
    static final int SAMPLE_EVERY = 16;

    private int sinceSample;

    private long windowStart;

    private int framesInWindow;

    private double averageNanos;

    private boolean handleHere = true;

    PollerLoad(long now) {
        this.windowStart = now;
    }

    /** Whether the frame that arrives at {@code now} is handled on the poller. */
    boolean handleHere(long now) {
        long elapsed = now - this.windowStart;
        if (elapsed >= WINDOW_NANOS) {
            this.handleHere = this.framesInWindow * this.averageNanos <= elapsed * BUSY_SHARE;
            this.windowStart = now;
            this.framesInWindow = 0;
        }
        this.framesInWindow++;
        if (this.handleHere) {
            return true;
        }
        if (++this.sinceSample < SAMPLE_EVERY) {
            return false;
        }
        this.sinceSample = 0;
        return true;
    }

    /** Handling a frame on the poller took {@code nanos}. */
    void handled(long nanos) {
        this.averageNanos = (this.averageNanos == 0) ? nanos : this.averageNanos + SMOOTHING * (nanos - this.averageNanos);
    }
}
