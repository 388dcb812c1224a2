package dev.parley.core;

/**
 * Runs broadcasts made outside the handling of a client frame (a group commit publishing what it
 * stored) as one batch: the delivery engine writes what they queue for each client once the
 * batch is done, several frames to a client in one write, and spreads a large batch's writes over
 * its writer threads. Frames still reach each client in the order they were broadcast.
 * <p>
 * A seam so that the group commit need not know the delivery engine; where none is given,
 * broadcasts are written one by one ({@link #ONE_BY_ONE}).
 */
@FunctionalInterface
public interface BroadcastBatches {

    /** Writes each broadcast as it is made. */
    BroadcastBatches ONE_BY_ONE = Runnable::run;

    /** Runs {@code broadcasts} on this thread, the writes they start made at its end. */
    void run(Runnable broadcasts);
}
