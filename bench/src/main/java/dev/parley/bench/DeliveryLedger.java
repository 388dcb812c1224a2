package dev.parley.bench;

import java.util.Arrays;
import java.util.BitSet;

/**
 * What one subscriber has received from its room: which of the bench's messages (by room
 * sequence), the highest message {@code id}, and per sender the highest room sequence. A delivery
 * of a message already seen is a duplicate. Out of order is one of two things: by id (STOMP: the
 * server numbers messages, a delivery whose {@code id} is lower than one already received is out
 * of order), or by sender (both protocols: a delivery that arrives after a later message of the
 * same sender; the bench's room sequence numbers each sender's messages in the order it sent
 * them, so no server id is needed). Used by one thread at a time (the connection's listener).
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

    /** Per sender (its user index): 1 + the highest room sequence received from it, 0 for none. */
    private int[] senderHighest = new int[0];

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

    /** Out of order by sender: for a protocol without message ids (Socket.IO). */
    public Outcome recordBySender(int roomSeq, int sender) {
        if (this.seen.get(roomSeq)) {
            return Outcome.DUPLICATE;
        }
        this.seen.set(roomSeq);
        return outOfSenderOrder(sender, roomSeq) ? Outcome.OUT_OF_ORDER : Outcome.FIRST;
    }

    /**
     * Records a first delivery (not a duplicate) in its sender's order: whether a later message of
     * the same sender arrived before it.
     */
    public boolean outOfSenderOrder(int sender, int roomSeq) {
        if (sender >= this.senderHighest.length) {
            this.senderHighest = Arrays.copyOf(this.senderHighest, Math.max(sender + 1, 4));
        }
        if (roomSeq + 1 < this.senderHighest[sender]) {
            return true;
        }
        this.senderHighest[sender] = roomSeq + 1;
        return false;
    }

    public long highestId() {
        return this.highestId;
    }
}
