/**
 * The delivery engine, which takes every STOMP frame to its connections, and its Spring wiring:
 * a broker that encodes a room's message once for all its subscribers
 * ({@link dev.parley.delivery.FanOutBroker}), each connection's outbound queue that never makes a
 * sender wait and cuts off slow readers ({@link dev.parley.delivery.ClientSessionDecorator}), the
 * ways into Tomcat that make writes and reads cheap ({@link dev.parley.delivery.TomcatSocketWrites},
 * {@link dev.parley.delivery.PollerReads}), each of which says at start-up when it is off
 * ({@link dev.parley.delivery.TomcatFastPaths}), and what finds SockJS clients over HTTP that
 * have gone ({@link dev.parley.delivery.HttpSessionLiveness}). It imports no chat feature: the
 * features' inbound interceptors join it as ordered beans.
 */
@NullMarked
package dev.parley.delivery;

import org.jspecify.annotations.NullMarked;
