/**
 * Spring wiring, the {@code chat.*} properties, and for now the delivery engine: a broker that
 * encodes a room's message once for all its subscribers ({@link dev.parley.config.FanOutBroker}),
 * each connection's outbound queue that never makes a sender wait and cuts off slow readers
 * ({@link dev.parley.config.ClientSessionDecorator}), and the ways into Tomcat that make writes
 * and reads cheap ({@link dev.parley.config.TomcatSocketWrites}, {@link dev.parley.config.PollerReads}),
 * each of which says at start-up when it is off ({@link dev.parley.config.TomcatFastPaths}).
 * The engine imports no chat feature.
 */
@NullMarked
package dev.parley.config;

import org.jspecify.annotations.NullMarked;
