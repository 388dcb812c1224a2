/**
 * The scale-out backends of the {@code cluster} profile: implementations of the seams that the
 * features use ({@link dev.parley.bus.RoomBus}, {@link dev.parley.bus.DirectBus}) over Redis, with PostgreSQL as the shared store.
 * Nothing imports this package; Spring wires it in when the profile is active, and the default
 * run never loads it.
 */
@NullMarked
package dev.parley.cluster;

import org.jspecify.annotations.NullMarked;
