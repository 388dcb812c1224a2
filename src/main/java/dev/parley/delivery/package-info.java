/**
 * The delivery engine, which takes every STOMP frame to its connections, and its Spring wiring
 * ({@link dev.parley.delivery.WebSocketConfiguration},
 * {@link dev.parley.delivery.StompBrokerConfiguration},
 * {@link dev.parley.delivery.ConnectionMemoryConfiguration}), which puts its three parts together:
 * <ul>
 * <li>{@code broker}: a broker that encodes a room's message once for all its subscribers
 * ({@link dev.parley.delivery.broker.FanOutBroker});</li>
 * <li>{@code session}: each connection's outbound queue, which never makes a sender wait and cuts
 * off slow readers ({@link dev.parley.delivery.session.ClientSessionDecorator}), and what finds
 * SockJS clients over HTTP that have gone
 * ({@link dev.parley.delivery.session.HttpSessionLiveness});</li>
 * <li>{@code tomcat}: the ways into Tomcat that make writes and reads cheap
 * ({@link dev.parley.delivery.tomcat.TomcatFrameWriters},
 * {@link dev.parley.delivery.tomcat.PollerReads}), each of which says at start-up when it is off
 * ({@link dev.parley.delivery.tomcat.TomcatFastPaths}).</li>
 * </ul>
 * The parts depend one way: the broker queues on {@code session}'s connections, {@code tomcat}
 * implements {@code session}'s writer, and only the wiring here gives a connection Tomcat's writer
 * and the poller's hand-off, so that neither the broker nor the queue depends on Tomcat's
 * internals. It imports no chat feature: the features' inbound interceptors join it as ordered
 * beans.
 */
@NullMarked
package dev.parley.delivery;

import org.jspecify.annotations.NullMarked;
