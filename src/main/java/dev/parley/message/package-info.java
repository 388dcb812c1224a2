/**
 * Chat messages: validated, rate-limited, stored with their room's next id, then broadcast, in
 * id order for every subscriber; and their history over REST for scroll-back and catch-up.
 */
@NullMarked
package dev.parley.message;

import org.jspecify.annotations.NullMarked;
