/**
 * Parley, a self-hosted chat service: STOMP over WebSocket with a SockJS fallback. The feature
 * packages ({@code identity}, {@code room}, {@code message}, {@code presence}) hold the chat;
 * {@code config} wires them to Spring's messaging and holds the delivery engine that takes every
 * frame to its connections; {@code web} is where errors are answered.
 */
@NullMarked
package dev.parley;

import org.jspecify.annotations.NullMarked;
