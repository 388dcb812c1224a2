/**
 * Who is online in which room: per connection, ended by leave, by DISCONNECT and by a closed or
 * silent connection, reported once per nickname as JOIN and LEAVE events. A disconnect may be
 * reported more than once; handling it is idempotent.
 */
@NullMarked
package dev.parley.presence;

import org.jspecify.annotations.NullMarked;
