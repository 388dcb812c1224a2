/**
 * Who is speaking: nickname claims over REST (only a hash of each token is kept), the CONNECT
 * gate that binds a connection to its nickname, the policy of what a client may send and
 * subscribe to, and how much one client may hold: connections per nickname (a seam, counted
 * across instances in the cluster profile) and subscriptions per connection. Every inbound frame
 * passes here before any feature sees it.
 */
@NullMarked
package dev.parley.identity;

import org.jspecify.annotations.NullMarked;
