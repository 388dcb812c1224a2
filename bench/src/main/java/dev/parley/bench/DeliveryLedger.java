package dev.parley.bench;

import java.util.BitSet;

/**
 * What one subscriber has received from its room: which of the bench's messages (by room
 * sequence) and the highest message {@code id}. A delivery of a message already seen is a
 * duplicate; a delivery whose {@code id} is lower than one already received is out of order.
 * Used by one thread at a time (the connection's listener).
 */
public final class DeliveryLedger {

    public enum Outcome {
        /** first delivery, in id order */
        FIRST,
        /** first delivery, but a higher id arrived before it */
        OUT_OF_ORDER,
        /** this message was delivered to this subscriber before */
        DUPLICATE
    }

    private final BitSet seen = new BitSet();

    private long highestId = Long.MIN_VALUE;

    public Outcome record(int roomSeq, long id) {
        if (this.seen.get(roomSeq)) {
            return Outcome.DUPLICATE;
        }
        this.seen.set(roomSeq);
        if (id < this.highestId) {
            return Outcome.OUT_OF_ORDER;
        }
        this.highestId = id;
        return Outcome.FIRST;
    }

    public long highestId() {
        return this.highestId;
    }
}
