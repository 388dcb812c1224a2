/**
 * Everything that relies on Tomcat: writes below its WebSocket API, frames handled on its poller,
 * a leaner upgrade and smaller receive buffers. Its internals are looked up here and nowhere
 * else, each once, and a lookup that fails is said at start-up, so that a Tomcat upgrade that
 * breaks one is noticed in this package alone. It implements {@code delivery.session}'s
 * {@code ClientFrameWriter}; only the wiring depends on it.
 */
@NullMarked
package dev.parley.delivery.tomcat;

import org.jspecify.annotations.NullMarked;
