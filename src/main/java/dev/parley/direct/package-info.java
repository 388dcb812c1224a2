/**
 * Private conversations of two nicknames (contract section 10): direct messages validated,
 * rate-limited and de-duplicated as rooms' are, stored by the same group commit with their
 * conversation's next id, then published to both parties' {@code /user/queue/direct} in id order
 * ({@link dev.parley.bus.DirectBus}); typing to the other party; and their history over REST for
 * the holder of a party's token.
 */
@NullMarked
package dev.parley.direct;

import org.jspecify.annotations.NullMarked;
