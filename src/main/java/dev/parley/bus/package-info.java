/**
 * The room-event bus: the seam through which features publish to a room's subscribers
 * ({@link dev.parley.bus.RoomBus}), with the in-process implementation over the delivery engine.
 * A clustered implementation publishes to the other instances as well.
 */
@NullMarked
package dev.parley.bus;

import org.jspecify.annotations.NullMarked;
