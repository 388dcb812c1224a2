/**
 * The in-process broker's fan-out: Spring's simple broker, changed so that a room's message is
 * encoded once and queued straight on each subscriber's connection, with destinations matched
 * from memory and heart-beats checked often enough to find a silent client in time. It queues on
 * {@code delivery.session}'s connections and knows nothing of the container.
 */
@NullMarked
package dev.parley.delivery.broker;

import org.jspecify.annotations.NullMarked;
