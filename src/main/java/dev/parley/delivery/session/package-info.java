/**
 * Each client connection's outbound side and its end: the queue that never makes a sender wait
 * and cuts off slow readers, the writers and writer threads that empty it, the writes put off
 * until a client frame is handled, RECEIPTs, the end of SockJS sessions over HTTP whose
 * client has gone, and of connections that do not complete CONNECT in time or stay open after
 * their DISCONNECT, and on the inbound side the parsing of frames that arrive in parts. Its
 * non-blocking writer and the hand-off of large broadcasts are given to it
 * from outside, so that it depends on nothing of Tomcat's.
 */
@NullMarked
package dev.parley.delivery.session;

import org.jspecify.annotations.NullMarked;
