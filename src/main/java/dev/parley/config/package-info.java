/**
 * The {@code chat.*} properties ({@link dev.parley.config.ChatProperties}, every limit of the
 * wire contract with its default), the clock, the embedded store's settings and checkpoints, and
 * the JVM's heap sizing. Depends only on the shared core (the store's one writer at a time); the
 * rest of the application's wiring sits with what it wires.
 */
@NullMarked
package dev.parley.config;

import org.jspecify.annotations.NullMarked;
