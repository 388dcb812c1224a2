/**
 * The values and errors every feature shares: {@link dev.parley.core.RoomName},
 * {@link dev.parley.core.Nickname} and {@link dev.parley.core.ChatUser} validate themselves, so a
 * feature only ever holds valid ones; {@link dev.parley.core.ChatException} with its
 * {@link dev.parley.core.ErrorCode} is how any of them refuses a frame. Depends on no feature.
 */
@NullMarked
package dev.parley.core;

import org.jspecify.annotations.NullMarked;
