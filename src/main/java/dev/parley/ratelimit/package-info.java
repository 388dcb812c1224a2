/**
 * Rate limits per nickname: the seam ({@link dev.parley.ratelimit.RateLimits}) that the features
 * ask before they act, and its in-process implementation with token buckets.
 */
@NullMarked
package dev.parley.ratelimit;

import org.jspecify.annotations.NullMarked;
