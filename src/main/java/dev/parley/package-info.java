/**
 * Parley, a self-hosted chat service: STOMP over WebSocket with a SockJS fallback. The feature
 * packages ({@code identity}, {@code room}, {@code message}, {@code presence}) hold the chat, on
 * the values of {@code core} and the seams {@code bus} and {@code ratelimit}; {@code delivery} is
 * the engine that takes every frame to its connections and imports no feature; {@code config}
 * holds the properties and the store's set-up; {@code web} is where errors are answered.
 */
@NullMarked
package dev.parley;

import org.jspecify.annotations.NullMarked;
