/**
 * The {@code chat.*} properties ({@link dev.parley.config.ChatProperties}, every limit of the
 * wire contract with its default) and the clock. Depends on nothing of Parley's; the rest of the
 * application's wiring sits with what it wires.
 */
@NullMarked
package dev.parley.config;

import org.jspecify.annotations.NullMarked;
