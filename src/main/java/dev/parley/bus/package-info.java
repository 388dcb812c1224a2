/**
 * The event buses: the seams through which features publish to a room's subscribers
 * ({@link dev.parley.bus.RoomBus}) and to the parties of a private conversation
 * ({@link dev.parley.bus.DirectBus}), with the in-process implementations over the delivery
 * engine. Clustered implementations publish to the other instances as well.
 */
@NullMarked
package dev.parley.bus;

import org.jspecify.annotations.NullMarked;
