/**
 * Rooms: their names, joining and leaving, typing indicators, the one writer of room events to
 * {@code /topic/room.*}, and the room list and online list over REST.
 */
@NullMarked
package dev.parley.room;

import org.jspecify.annotations.NullMarked;
