package dev.parley.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Loss, duplicate and out-of-order accounting: ledgers per subscriber feeding a step. */
class DeliveryAccountingTests {

    @Test
    void aLedgerSeesFirstDuplicateAndOutOfOrderDeliveries() {
        DeliveryLedger ledger = new DeliveryLedger();
        assertEquals(DeliveryLedger.Outcome.FIRST, ledger.record(0, 10));
        assertEquals(DeliveryLedger.Outcome.FIRST, ledger.record(1, 11));
        assertEquals(DeliveryLedger.Outcome.DUPLICATE, ledger.record(1, 11));
        assertEquals(DeliveryLedger.Outcome.FIRST, ledger.record(3, 13));
        assertEquals(DeliveryLedger.Outcome.OUT_OF_ORDER, ledger.record(2, 12));
        assertEquals(DeliveryLedger.Outcome.DUPLICATE, ledger.record(2, 12));
        assertEquals(13, ledger.highestId());
        // a gap is not out of order: only going back is
        assertEquals(DeliveryLedger.Outcome.FIRST, ledger.record(9, 19));
    }

    @Test
    void withoutMessageIdsOutOfOrderIsBySender() {
        // senders 1 and 2 share a room: room sequences 0, 2, 4 are sender 1's, 1, 3, 5 sender 2's
        DeliveryLedger ledger = new DeliveryLedger();
        assertEquals(DeliveryLedger.Outcome.FIRST, ledger.recordBySender(1, 2));
        // another sender's earlier message after it: not out of order (the server may take either first)
        assertEquals(DeliveryLedger.Outcome.FIRST, ledger.recordBySender(0, 1));
        assertEquals(DeliveryLedger.Outcome.FIRST, ledger.recordBySender(4, 1));
        // sender 1's message 2 after its message 4
        assertEquals(DeliveryLedger.Outcome.OUT_OF_ORDER, ledger.recordBySender(2, 1));
        assertEquals(DeliveryLedger.Outcome.DUPLICATE, ledger.recordBySender(2, 1));
        assertEquals(DeliveryLedger.Outcome.FIRST, ledger.recordBySender(5, 2));
        assertEquals(DeliveryLedger.Outcome.OUT_OF_ORDER, ledger.recordBySender(3, 2));
        // a gap is not out of order, and a sender index past the first ones grows the table
        assertEquals(DeliveryLedger.Outcome.FIRST, ledger.recordBySender(40, 17));
        assertEquals(DeliveryLedger.Outcome.FIRST, ledger.recordBySender(41, 17));
    }

    @Test
    void stompCountsBothOrdersApart() {
        // the server numbered sender 0's messages 1 and 0 against the order they were sent: out of order by
        // id only when the ids go back, by sender only when the room sequences of one sender do
        Step step = new Step(0, 10);
        DeliveryLedger ledger = new DeliveryLedger();
        DeliveryLedger.Outcome first = ledger.record(0, 11);
        step.delivered(first, 1000, ledger.outOfSenderOrder(0, 0));
        DeliveryLedger.Outcome second = ledger.record(2, 10);
        step.delivered(second, 1000, ledger.outOfSenderOrder(0, 2));
        DeliveryLedger.Outcome third = ledger.record(1, 12);
        step.delivered(third, 1000, ledger.outOfSenderOrder(0, 1));
        assertEquals(DeliveryLedger.Outcome.OUT_OF_ORDER, second);
        assertEquals(DeliveryLedger.Outcome.FIRST, third);
        assertEquals(1, step.outOfOrderCount());
        assertEquals(1, step.outOfOrderBySenderCount());
        // a duplicate is neither
        step.delivered(ledger.record(1, 12), 1000, true);
        assertEquals(1, step.outOfOrderBySenderCount());
        assertEquals(1, step.duplicateCount());
    }

    @Test
    void countsLostDuplicatedAndOutOfOrderDeliveries() {
        Random random = new Random(1);
        int rooms = 3;
        int subscribersPerRoom = 4;
        int messagesPerRoom = 200;
        Step step = new Step(0, 100);
        long expectedLost = 0;
        long expectedDuplicates = 0;
        long expectedOutOfOrder = 0;
        for (int room = 0; room < rooms; room++) {
            for (int m = 0; m < messagesPerRoom; m++) {
                step.sent(subscribersPerRoom, 0);
            }
            for (int s = 0; s < subscribersPerRoom; s++) {
                DeliveryLedger ledger = new DeliveryLedger();
                // lose some
                List<Integer> arriving = new ArrayList<>();
                for (int m = 0; m < messagesPerRoom; m++) {
                    if (random.nextInt(20) == 0) {
                        expectedLost++;
                    }
                    else {
                        arriving.add(m);
                    }
                }
                // swap some neighbours of what arrives: each swap makes exactly one delivery arrive
                // after a higher id
                for (int i = 0; i + 1 < arriving.size(); i += 2) {
                    if (random.nextInt(10) == 0) {
                        Collections.swap(arriving, i, i + 1);
                        expectedOutOfOrder++;
                    }
                }
                // deliver some twice, right after the first time
                List<Integer> delivered = new ArrayList<>();
                for (int m : arriving) {
                    delivered.add(m);
                    if (random.nextInt(20) == 0) {
                        delivered.add(m);
                        expectedDuplicates++;
                    }
                }
                for (int m : delivered) {
                    long id = 1000 + m;
                    step.delivered(ledger.record(m, id), 1_000_000);
                }
            }
        }
        assertEquals(rooms * subscribersPerRoom * messagesPerRoom, step.expectedCount());
        assertEquals(rooms * messagesPerRoom, step.sentCount());
        assertEquals(expectedLost, step.lostCount());
        assertEquals(step.expectedCount() - expectedLost, step.receivedCount());
        assertEquals(expectedDuplicates, step.duplicateCount());
        assertEquals(expectedOutOfOrder, step.outOfOrderCount());
        assertEquals(step.receivedCount(), step.latencyMicros().getTotalCount());
    }

    @Test
    void deliveriesAfterTheStepClosedAreLateAndLost() {
        Step step = new Step(0, 10);
        step.sent(2, 0);
        step.sent(2, 0);
        DeliveryLedger a = new DeliveryLedger();
        DeliveryLedger b = new DeliveryLedger();
        step.delivered(a.record(0, 1), 1000);
        step.delivered(b.record(0, 1), 1000);
        step.delivered(a.record(1, 2), 1000);
        step.close();
        step.delivered(b.record(1, 2), 1000);
        assertEquals(4, step.expectedCount());
        assertEquals(3, step.receivedCount());
        assertEquals(1, step.lostCount());
        assertEquals(1, step.lateCount());
    }

    @Test
    void nothingLostWhenEverythingArrives() {
        Step step = new Step(0, 10);
        DeliveryLedger[] ledgers = { new DeliveryLedger(), new DeliveryLedger(), new DeliveryLedger() };
        for (int m = 0; m < 50; m++) {
            step.sent(ledgers.length, 0);
            for (DeliveryLedger ledger : ledgers) {
                step.delivered(ledger.record(m, m + 1), 500_000);
            }
        }
        assertEquals(0, step.lostCount());
        assertEquals(0, step.duplicateCount());
        assertEquals(0, step.outOfOrderCount());
        assertEquals(150, step.receivedCount());
    }
}
