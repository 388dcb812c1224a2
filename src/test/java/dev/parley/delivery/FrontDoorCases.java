package dev.parley.delivery;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import dev.parley.delivery.FrontDoorCase.Ending;
import dev.parley.delivery.FrontDoorCase.Kind;
import dev.parley.delivery.FrontDoorCase.Piece;
import dev.parley.delivery.FrontDoorClient.Style;
import dev.parley.delivery.FrontDoorClient.Transport;
import dev.parley.support.RawWebSocketFrames;

import static dev.parley.delivery.FrontDoorCase.Piece.of;

/**
 * The generator of {@link FrontDoorCase}s: well-formed frames, frames the contract refuses, and
 * bytes that are no STOMP at all, over every way in, cut into transport messages anywhere. The
 * same {@link Random} seed gives the same cases.
 */
final class FrontDoorCases {

    /** A value drawn from a random source. */
    @FunctionalInterface
    interface Gen<T> {

        T next(Random random);

        default <R> Gen<R> map(Function<? super T, ? extends R> mapper) {
            return random -> mapper.apply(next(random));
        }

        default Gen<T> filter(java.util.function.Predicate<? super T> predicate) {
            return random -> {
                T value;
                do {
                    value = next(random);
                }
                while (!predicate.test(value));
                return value;
            };
        }
    }

    private static final String CONNECT = "CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\n"
            + "login:{login}\npasscode:{passcode}\n\n\0";

    /** A JSON body with a NUL in it: readable only by its content-length. */
    private static final String NUL_IN_BODY = "{\"text\":\"a\0b\"}";

    /** Just beyond the 64 KiB frame limit, and still within a SockJS WebSocket message's buffer. */
    private static final int OVERSIZE = 66 * 1024;

    private FrontDoorCases() {
    }

    static FrontDoorCase next(Random random) {
        Transport transport = FrontDoorCases.<Transport>frequency(
                62, just(Transport.WEBSOCKET),
                30, just(Transport.SOCKJS_WEBSOCKET),
                // half a second each at least: a refused SockJS session over HTTP is closed a
                // moment after its ERROR, for the poll that fetches it
                4, just(Transport.SOCKJS_XHR_STREAMING),
                4, just(Transport.SOCKJS_XHR_POLLING)).next(random);
        Style style = styles(transport).next(random);
        List<Piece> pieces = scripts(transport).next(random);
        List<Integer> cuts = listOf(between(0, 999), 4).next(random);
        return new FrontDoorCase(transport, style, pieces, cuts, endings(transport).next(random));
    }

    private static Gen<Style> styles(Transport transport) {
        if (transport.isXhr()) {
            return just(Style.TEXT);
        }
        if (transport.isSockJs()) {
            return anyOf(Style.TEXT, Style.DRIBBLED_TEXT);
        }
        return anyOf(Style.values());
    }

    private static Gen<Ending> endings(Transport transport) {
        return transport.isXhr() ? just(Ending.OVERFLOW) : frequency(3, just(Ending.ABORT), 1, just(Ending.OVERFLOW));
    }

    /** Often a valid CONNECT first (so that later frames count), then up to five pieces, maybe an unfinished frame. */
    private static Gen<List<Piece>> scripts(Transport transport) {
        Gen<List<Piece>> start = frequency(6, just(List.of(of("connect", Kind.CONNECT, CONNECT))),
                4, just(List.<Piece>of()));
        Gen<List<Piece>> middle = listOf(pieces(transport), 5);
        Gen<List<Piece>> end = frequency(8, just(List.<Piece>of()), 2, incomplete().map(List::of));
        return random -> {
            List<Piece> all = new ArrayList<>(start.next(random));
            all.addAll(middle.next(random));
            all.addAll(end.next(random));
            return all;
        };
    }

    private static Gen<Piece> pieces(Transport transport) {
        List<Object> choices = new ArrayList<>(List.of(4, eols(), 5, connects(), 14, validFrames(), 6, forbidden(),
                6, malformed(), 5, odd(), 1, oversize()));
        if (!transport.isXhr()) {
            choices.addAll(List.of(transport.isSockJs() ? 1 : 2, brokenWebSocket(transport)));
        }
        if (transport.isSockJs()) {
            choices.addAll(List.of(1, brokenSockJs()));
        }
        return frequency(choices.toArray());
    }

    private static Gen<Piece> eols() {
        return anyOf(of("eol", Kind.EOL, "\n"), of("crlf", Kind.EOL, "\r\n"), of("eols", Kind.EOL, "\n\n\n"));
    }

    /** CONNECT and STOMP frames: valid, refused, and odd but perhaps acceptable. */
    private static Gen<Piece> connects() {
        Gen<Piece> fixed = anyOf(
                of("connect", Kind.CONNECT, CONNECT),
                of("stomp-command", Kind.CONNECT, "STOMP\naccept-version:1.1,1.2\nhost:x\nlogin:{LOGIN}\npasscode:{passcode}\n\n\0"),
                of("connect-heart-beats", Kind.CONNECT, "CONNECT\naccept-version:1.2\nheart-beat:10000,10000\nlogin:{login}\npasscode:{passcode}\n\n\0"),
                of("connect-crlf", Kind.CONNECT, "CONNECT\r\naccept-version:1.2\r\nlogin:{login}\r\npasscode:{passcode}\r\n\r\n\0"),
                of("connect-content-length-0", Kind.CONNECT, "CONNECT\naccept-version:1.2\ncontent-length:0\nlogin:{login}\npasscode:{passcode}\n\n\0"),
                of("connect-wrong-passcode", Kind.CONNECT_REFUSED, "CONNECT\naccept-version:1.2\nlogin:{login}\npasscode:{passcode}x\n\n\0"),
                of("connect-no-passcode", Kind.CONNECT_REFUSED, "CONNECT\naccept-version:1.2\nlogin:{login}\n\n\0"),
                of("connect-empty-passcode", Kind.CONNECT_REFUSED, "CONNECT\naccept-version:1.2\nlogin:{login}\npasscode:\n\n\0"),
                of("connect-no-login", Kind.CONNECT_REFUSED, "CONNECT\naccept-version:1.2\npasscode:{passcode}\n\n\0"),
                of("connect-bad-login", Kind.CONNECT_REFUSED, "CONNECT\naccept-version:1.2\nlogin:no such!\npasscode:{passcode}\n\n\0"),
                of("connect-long-login", Kind.CONNECT_REFUSED, "CONNECT\naccept-version:1.2\nlogin:" + "a".repeat(100) + "\npasscode:{passcode}\n\n\0"),
                of("connect-unclaimed-login", Kind.CONNECT_REFUSED, "CONNECT\naccept-version:1.2\nlogin:{login}zz9\npasscode:{passcode}\n\n\0"),
                of("connect-escaped-passcode", Kind.CONNECT_REFUSED, "CONNECT\naccept-version:1.2\nlogin:{login}\npasscode:\\c{passcode}\n\n\0"),
                of("connect-with-body", Kind.MALFORMED, "CONNECT\naccept-version:1.2\nlogin:{login}\npasscode:{passcode}\n\nbody\0"),
                of("connect-version-1.0", Kind.ODD, "CONNECT\naccept-version:1.0\nlogin:{login}\npasscode:{passcode}\n\n\0"),
                of("connect-version-9", Kind.ODD, "CONNECT\naccept-version:9.9\nlogin:{login}\npasscode:{passcode}\n\n\0"),
                of("connect-version-empty", Kind.ODD, "CONNECT\naccept-version:\nlogin:{login}\npasscode:{passcode}\n\n\0"),
                of("connect-no-version", Kind.ODD, "CONNECT\nlogin:{login}\npasscode:{passcode}\n\n\0"));
        Gen<Piece> heartBeats = anyOf("-1,-1", "abc", "1", ",", "", "1,2,3", "0,-5", "1,1",
                "99999999999999999999,0", "9223372036854775807,9223372036854775807", "6148914691236517206,0",
                "0,6148914691236517206", " 10000 , 10000 ", "10000;10000")
            .map(value -> of("connect-heart-beat " + value, Kind.ODD,
                    "CONNECT\naccept-version:1.2\nheart-beat:" + value + "\nlogin:{login}\npasscode:{passcode}\n\n\0"));
        Gen<Piece> manyHeaders = between(1, 3000)
            .map(count -> of("connect-with-" + count + "-headers", Kind.CONNECT,
                    "CONNECT\naccept-version:1.2\n" + headers(count) + "login:{login}\npasscode:{passcode}\n\n\0"));
        return oneOf(fixed, fixed, heartBeats, manyHeaders);
    }

    /** Frames a connected session may send, most asking for a receipt; the application refuses some itself (on /user/queue/errors). */
    private static Gen<Piece> validFrames() {
        Gen<Piece> fixed = anyOf(
                of("subscribe-room", Kind.FRAME, "SUBSCRIBE\nid:room\ndestination:/topic/room.{room}\nreceipt:{receipt}\n\n\0"),
                of("subscribe-errors", Kind.FRAME, "SUBSCRIBE\nid:errors\ndestination:/user/queue/errors\nreceipt:{receipt}\n\n\0"),
                of("subscribe-users", Kind.FRAME, "SUBSCRIBE\nid:users\ndestination:/app/room.{room}.users\nreceipt:{receipt}\n\n\0"),
                of("subscribe-escaped", Kind.FRAME, "SUBSCRIBE\nid:a\\cb\\\\c\\nd\ndestination:/topic/room.{room}\nreceipt:{receipt}\n\n\0"),
                of("unsubscribe", Kind.FRAME, "UNSUBSCRIBE\nid:room\nreceipt:{receipt}\n\n\0"),
                of("unsubscribe-unknown", Kind.FRAME, "UNSUBSCRIBE\nid:nothing-of-that-name\nreceipt:{receipt}\n\n\0"),
                of("join", Kind.FRAME, "SEND\ndestination:/app/room.{room}.join\ncontent-type:application/json\nreceipt:{receipt}\n\n{}\0"),
                of("join-without-body", Kind.FRAME, "SEND\ndestination:/app/room.{room}.join\nreceipt:{receipt}\n\n\0"),
                of("leave", Kind.FRAME, "SEND\ndestination:/app/room.{room}.leave\nreceipt:{receipt}\n\n{}\0"),
                of("send", Kind.FRAME, "SEND\ndestination:/app/room.{room}.send\nreceipt:{receipt}\n\n{\"text\":\"fuzz\"}\0"),
                of("send-content-length", Kind.FRAME, "SEND\ndestination:/app/room.{room}.send\ncontent-length:"
                        + NUL_IN_BODY.getBytes(StandardCharsets.UTF_8).length + "\nreceipt:{receipt}\n\n" + NUL_IN_BODY + "\0"),
                of("send-negative-content-length", Kind.FRAME, "SEND\ndestination:/app/room.{room}.send\ncontent-length:-1\nreceipt:{receipt}\n\n{\"text\":\"x\"}\0"),
                of("send-huge-content-length", Kind.ODD, "SEND\ndestination:/app/room.{room}.send\ncontent-length:99999999999\nreceipt:{receipt}\n\n{\"text\":\"x\"}\0"),
                of("send-number-text", Kind.FRAME, "SEND\ndestination:/app/room.{room}.send\nreceipt:{receipt}\n\n{\"text\":5}\0"),
                of("send-lone-surrogate", Kind.FRAME, "SEND\ndestination:/app/room.{room}.send\nreceipt:{receipt}\n\n{\"text\":\"\\ud800\"}\0"),
                of("send-array", Kind.FRAME, "SEND\ndestination:/app/room.{room}.send\nreceipt:{receipt}\n\n[1,2]\0"),
                of("send-null", Kind.FRAME, "SEND\ndestination:/app/room.{room}.send\nreceipt:{receipt}\n\nnull\0"),
                of("send-deep-json", Kind.FRAME, "SEND\ndestination:/app/room.{room}.send\nreceipt:{receipt}\n\n" + "[".repeat(20_000) + "\0"),
                of("send-huge-number", Kind.FRAME, "SEND\ndestination:/app/room.{room}.send\nreceipt:{receipt}\n\n{\"text\":1e999999999}\0"),
                of("send-long-text", Kind.FRAME, "SEND\ndestination:/app/room.{room}.send\nreceipt:{receipt}\n\n{\"text\":\"" + "é".repeat(3000) + "\"}\0"),
                of("send-octet-stream", Kind.FRAME, "SEND\ndestination:/app/room.{room}.send\ncontent-type:application/octet-stream\nreceipt:{receipt}\n\n{\"text\":\"bin\"}\0"),
                of("send-odd-charset", Kind.ODD, "SEND\ndestination:/app/room.{room}.send\ncontent-type:text/plain;charset=no-such\nreceipt:{receipt}\n\n{\"text\":\"cs\"}\0"),
                of("typing", Kind.FRAME, "SEND\ndestination:/app/room.{room}.typing\nreceipt:{receipt}\n\n{\"typing\":true}\0"),
                of("send-unknown-op", Kind.FRAME, "SEND\ndestination:/app/room.{room}.dance\nreceipt:{receipt}\n\n{}\0"),
                of("send-dotted-room", Kind.FRAME, "SEND\ndestination:/app/room.a.b.join\nreceipt:{receipt}\n\n{}\0"),
                of("send-empty-room", Kind.FRAME, "SEND\ndestination:/app/room..send\nreceipt:{receipt}\n\n{}\0"),
                of("send-app-root", Kind.FRAME, "SEND\ndestination:/app/\nreceipt:{receipt}\n\n{}\0"),
                of("send-app-wildcard", Kind.FRAME, "SEND\ndestination:/app/**\nreceipt:{receipt}\n\n{}\0"),
                of("send-app-traversal", Kind.FRAME, "SEND\ndestination:/app/../topic/room.{room}\nreceipt:{receipt}\n\n{\"text\":\"t\"}\0"),
                of("send-app-placeholder", Kind.FRAME, "SEND\ndestination:/app/room.%7Broom%7D.send\nreceipt:{receipt}\n\n{}\0"),
                of("send-app-unicode", Kind.FRAME, "SEND\ndestination:/app/room.été.join\nreceipt:{receipt}\n\n{}\0"),
                of("send-escaped-colon", Kind.FRAME, "SEND\ndestination:/app/room.{room}\\c.join\nreceipt:{receipt}\n\n{}\0"),
                of("send-two-destinations", Kind.FRAME, "SEND\ndestination:/app/room.{room}.join\ndestination:/topic/room.{room}\nreceipt:{receipt}\n\n{}\0"),
                of("send-long-app-destination", Kind.FRAME, "SEND\ndestination:/app/" + "x".repeat(5000) + "\nreceipt:{receipt}\n\n{}\0"),
                of("ack", Kind.FRAME, "ACK\nid:12\nreceipt:{receipt}\n\n\0"),
                of("nack", Kind.FRAME, "NACK\nid:12\nreceipt:{receipt}\n\n\0"),
                of("begin", Kind.FRAME, "BEGIN\ntransaction:t1\nreceipt:{receipt}\n\n\0"),
                of("commit", Kind.FRAME, "COMMIT\ntransaction:t1\nreceipt:{receipt}\n\n\0"),
                of("abort", Kind.FRAME, "ABORT\ntransaction:t1\nreceipt:{receipt}\n\n\0"),
                of("disconnect", Kind.DISCONNECT, "DISCONNECT\nreceipt:bye\n\n\0"));
        Gen<Piece> invalidUtf8 = anyOf(
                utf8Broken("send-invalid-utf8-body", "SEND\ndestination:/app/room.{room}.send\nreceipt:{receipt}\n\n{\"text\":\"", "\"}\0"),
                utf8Broken("send-invalid-utf8-destination", "SEND\ndestination:/app/room.{room}.", "\nreceipt:{receipt}\n\n{}\0"),
                utf8Broken("subscribe-invalid-utf8-id", "SUBSCRIBE\ndestination:/topic/room.{room}\nreceipt:{receipt}\nid:", "\n\n\0"));
        Gen<Piece> manyHeaders = between(1, 3000)
            .map(count -> of("send-with-" + count + "-headers", Kind.FRAME,
                    "SEND\ndestination:/app/room.{room}.typing\n" + headers(count) + "receipt:{receipt}\n\n{\"typing\":false}\0"));
        Gen<Piece> hugeValue = between(1_000, 60_000)
            .map(size -> of("send-with-" + size + "-byte-header", Kind.FRAME,
                    "SEND\ndestination:/app/room.{room}.typing\nx-big:" + "v".repeat(size) + "\nreceipt:{receipt}\n\n{\"typing\":false}\0"));
        Gen<Piece> randomText = ((Gen<String>) FrontDoorCases::randomString)
            .map(text -> of("send-random-text", Kind.FRAME, "SEND\ndestination:/app/room.{room}.send\nreceipt:{receipt}\n\n{\"text\":"
                    + dev.parley.support.ParleyApi.JSON.writeValueAsString(text) + "}\0"));
        return oneOf(fixed, fixed, fixed, invalidUtf8, manyHeaders, hugeValue, randomText);
    }

    /** SEND and SUBSCRIBE to destinations contract section 3 forbids. */
    private static Gen<Piece> forbidden() {
        Gen<Piece> subscribe = anyOf("/topic/room.Bad", "/topic/other", "/topic/room.", "/queue/errors",
                "/user/queue/other", "/user/queue/errors/x", "/topic/room.{room}/../x", "", "/app/room.{room}.users.x",
                "/app/room.{room}.join", "/topic/room.{room}.x", "/topic/room.{room}*", "/topic/**", "/user/{login}/queue/errors")
            .map(destination -> of("subscribe " + destination, Kind.FORBIDDEN,
                    "SUBSCRIBE\nid:f\ndestination:" + destination + "\nreceipt:{receipt}\n\n\0"));
        Gen<Piece> send = anyOf("/topic/room.{room}", "/queue/x", "/user/{login}/queue/errors", "",
                "app/room.{room}.join", "/app", "/topic/room.{room}/../../app/room.{room}.send", "/ap/room.{room}.join")
            .map(destination -> of("send " + destination, Kind.FORBIDDEN,
                    "SEND\ndestination:" + destination + "\nreceipt:{receipt}\n\n{\"type\":\"MESSAGE\",\"text\":\"forged\"}\0"));
        Gen<Piece> missing = anyOf(
                of("subscribe-without-destination", Kind.FORBIDDEN, "SUBSCRIBE\nid:f\nreceipt:{receipt}\n\n\0"),
                of("send-without-destination", Kind.FORBIDDEN, "SEND\nreceipt:{receipt}\n\n{}\0"));
        return oneOf(subscribe, send, missing);
    }

    /** Bytes Spring's STOMP decoder cannot read. */
    private static Gen<Piece> malformed() {
        Gen<Piece> fixed = anyOf(
                of("unknown-command", Kind.MALFORMED, "FOO\n\n\0"),
                of("lower-case-command", Kind.MALFORMED, "send\ndestination:/app/room.{room}.join\n\n{}\0"),
                of("command-with-space", Kind.MALFORMED, "SEND \ndestination:/app/room.{room}.join\n\n{}\0"),
                of("nul-command", Kind.MALFORMED, "\0\n\n\0"),
                of("bad-escape", Kind.MALFORMED, "SEND\ndestination:/app/room.{room}\\x.join\n\n{}\0"),
                of("trailing-backslash", Kind.MALFORMED, "SEND\ndestination:/app/room.{room}.join\\\nreceipt:{receipt}\n\n{}\0"),
                of("backslash-in-name", Kind.MALFORMED, "SUBSCRIBE\nid\\t:1\ndestination:/topic/room.{room}\n\n\0"),
                of("header-without-colon", Kind.MALFORMED, "SEND\ndestination:/app/room.{room}.join\nno-colon-here\n\n{}\0"),
                of("header-without-name", Kind.MALFORMED, "SEND\n:value\ndestination:/app/room.{room}.join\n\n{}\0"),
                of("lone-cr", Kind.MALFORMED, "SEND\rdestination:/app/room.{room}.join\n\n{}\0"),
                of("content-length-short", Kind.MALFORMED, "SEND\ndestination:/app/room.{room}.send\ncontent-length:2\n\n{}xx\0"),
                of("subscribe-with-body", Kind.MALFORMED, "SUBSCRIBE\nid:b\ndestination:/topic/room.{room}\n\nbody\0"),
                of("disconnect-with-body", Kind.MALFORMED, "DISCONNECT\n\nbye\0"),
                of("connect-bad-escape", Kind.CONNECT_REFUSED, "CONNECT\naccept-version:1.2\nlogin:\\x{login}\npasscode:{passcode}\n\n\0"));
        Gen<Piece> garbageCommand = ((Gen<String>) FrontDoorCases::printableAscii)
            .filter(command -> !isCommand(command))
            .map(command -> of("garbage-command", Kind.MALFORMED, command + "\nx:y\n\n\0"));
        return oneOf(fixed, fixed, garbageCommand);
    }

    /** Frames whose answer the contract leaves open. */
    private static Gen<Piece> odd() {
        Gen<Piece> fixed = anyOf(
                of("subscribe-without-id", Kind.ODD, "SUBSCRIBE\ndestination:/topic/room.{room}\nreceipt:{receipt}\n\n\0"),
                of("unsubscribe-without-id", Kind.ODD, "UNSUBSCRIBE\nreceipt:{receipt}\n\n\0"),
                of("content-length-not-a-number", Kind.ODD, "SEND\ndestination:/app/room.{room}.send\ncontent-length:abc\n\n{\"text\":\"n\"}\0"),
                of("invalid-content-type", Kind.ODD, "SEND\ndestination:/app/room.{room}.send\ncontent-type:///\n\n{\"text\":\"m\"}\0"),
                of("connected-from-client", Kind.ODD, "CONNECTED\nversion:1.2\n\n\0"),
                of("message-from-client", Kind.ODD, "MESSAGE\ndestination:/topic/room.{room}\nsubscription:room\nmessage-id:1\n\n{}\0"),
                of("error-from-client", Kind.ODD, "ERROR\nmessage:x\n\n\0"),
                of("receipt-from-client", Kind.ODD, "RECEIPT\nreceipt-id:x\n\n\0"));
        Gen<Piece> randomBytes = ((Gen<byte[]>) FrontDoorCases::randomBytes)
            .map(bytes -> new Piece("random-bytes", Kind.ODD, bytes, !isUtf8(bytes)));
        return oneOf(fixed, randomBytes);
    }

    /** Frames beyond the 64 KiB limit, in the body, in one header, or in many. */
    private static Gen<Piece> oversize() {
        return anyOf(
                of("oversize-body", Kind.OVERSIZE, "SEND\ndestination:/app/room.{room}.send\n\n{\"text\":\"" + "a".repeat(OVERSIZE) + "\"}\0"),
                of("oversize-header", Kind.OVERSIZE, "SEND\ndestination:/app/room.{room}.send\nx-big:" + "v".repeat(OVERSIZE) + "\n\n{}\0"),
                of("oversize-headers", Kind.OVERSIZE, "SEND\ndestination:/app/room.{room}.send\n" + headers(7_000) + "\n{}\0"),
                of("oversize-content-length", Kind.OVERSIZE, "SEND\ndestination:/app/room.{room}.send\ncontent-length:" + OVERSIZE + "\n\n" + "a".repeat(OVERSIZE) + "\0"));
    }

    /** Frames that stop before their end. */
    private static Gen<Piece> incomplete() {
        return anyOf(
                of("no-nul", Kind.INCOMPLETE, "SEND\ndestination:/app/room.{room}.send\n\n{\"text\":\"never ends\"}"),
                of("content-length-beyond", Kind.INCOMPLETE, "SEND\ndestination:/app/room.{room}.send\ncontent-length:500\n\n{}\0"),
                // declares more than the 64 KiB limit: refused (ERROR, close) once the server
                // reads on, which depends on where the run is cut, so the answer is left open
                of("content-length-beyond-limit", Kind.ODD, "SEND\ndestination:/app/room.{room}.send\ncontent-length:9999999\n\n{}\0"),
                of("cut-in-headers", Kind.INCOMPLETE, "CONNECT\nlogin:{login}\npassc"),
                of("cut-in-command", Kind.INCOMPLETE, "SEN"));
    }

    /** WebSocket frames RFC 6455 forbids, and a binary frame where SockJS wants text. */
    private static Gen<Piece> brokenWebSocket(Transport transport) {
        byte[] stomp = "SEND\ndestination:/app/x\n\n{}\0".getBytes(StandardCharsets.UTF_8);
        List<Piece> pieces = new ArrayList<>(List.of(
                new Piece("text-frame-invalid-utf8", Kind.BROKEN_WEBSOCKET,
                        RawWebSocketFrames.masked(RawWebSocketFrames.OPCODE_TEXT, new byte[] { 'S', (byte) 0xff, (byte) 0xfe, 0 }, true), false),
                new Piece("unmasked-frame", Kind.BROKEN_WEBSOCKET, unmasked(stomp), false),
                new Piece("continuation-without-start", Kind.BROKEN_WEBSOCKET,
                        RawWebSocketFrames.masked(RawWebSocketFrames.OPCODE_CONTINUATION, stomp, true), false),
                new Piece("reserved-opcode", Kind.BROKEN_WEBSOCKET, RawWebSocketFrames.masked(0x3, stomp, true), false),
                new Piece("long-ping", Kind.BROKEN_WEBSOCKET, RawWebSocketFrames.masked(RawWebSocketFrames.OPCODE_PING, new byte[200], true), false),
                new Piece("fragmented-ping", Kind.BROKEN_WEBSOCKET, RawWebSocketFrames.masked(RawWebSocketFrames.OPCODE_PING, new byte[4], false), false),
                new Piece("client-close", Kind.BROKEN_WEBSOCKET, RawWebSocketFrames.masked(RawWebSocketFrames.OPCODE_CLOSE, new byte[] { 0x03, (byte) 0xe8 }, true), false)));
        if (transport.isSockJs()) {
            pieces.add(new Piece("binary-frame-to-sockjs", Kind.BROKEN_WEBSOCKET,
                    RawWebSocketFrames.masked(RawWebSocketFrames.OPCODE_BINARY, "[\"x\"]".getBytes(StandardCharsets.UTF_8), true), false));
        }
        return anyOf(pieces);
    }

    /** SockJS messages that are no JSON array of strings. */
    private static Gen<Piece> brokenSockJs() {
        return anyOf(
                of("sockjs-broken-json", Kind.BROKEN_SOCKJS, "[\"SEND\\n"),
                of("sockjs-not-an-array", Kind.BROKEN_SOCKJS, "{\"a\":1}"),
                of("sockjs-bare-string", Kind.BROKEN_SOCKJS, "SEND\ndestination:/app/x\n\n\0"));
    }

    /** Up to 200 code points of any kind, surrogates and controls included. */
    private static String randomString(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(201);
        for (int i = 0; i < length; i++) {
            text.append((char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10000)));
        }
        return text.toString();
    }

    private static String printableAscii(Random random) {
        char[] chars = new char[1 + random.nextInt(40)];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) ('!' + random.nextInt('~' - '!' + 1));
        }
        return new String(chars);
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[1 + random.nextInt(300)];
        random.nextBytes(bytes);
        return bytes;
    }

    @SafeVarargs
    private static <T> Gen<T> anyOf(T... values) {
        return random -> values[random.nextInt(values.length)];
    }

    private static <T> Gen<T> anyOf(List<T> values) {
        return random -> values.get(random.nextInt(values.size()));
    }

    @SafeVarargs
    private static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
        return random -> gens[random.nextInt(gens.length)].next(random);
    }

    /** A weighted choice: {@code weight, gen, weight, gen, ...}. */
    @SuppressWarnings("unchecked")
    private static <T> Gen<T> frequency(Object... weightsAndGens) {
        int total = 0;
        for (int i = 0; i < weightsAndGens.length; i += 2) {
            total += (Integer) weightsAndGens[i];
        }
        int sum = total;
        return random -> {
            int roll = random.nextInt(sum);
            for (int i = 0; i < weightsAndGens.length; i += 2) {
                roll -= (Integer) weightsAndGens[i];
                if (roll < 0) {
                    return ((Gen<? extends T>) weightsAndGens[i + 1]).next(random);
                }
            }
            throw new IllegalStateException("weights add up to " + sum);
        };
    }

    private static <T> Gen<T> just(T value) {
        return random -> value;
    }

    private static <T> Gen<List<T>> listOf(Gen<? extends T> gen, int maxSize) {
        return random -> {
            int size = random.nextInt(maxSize + 1);
            List<T> list = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                list.add(gen.next(random));
            }
            return list;
        };
    }

    private static Gen<Integer> between(int min, int max) {
        return random -> min + random.nextInt(max - min + 1);
    }

    private static String headers(int count) {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < count; i++) {
            headers.append("x-h").append(i).append(":v\n");
        }
        return headers.toString();
    }

    private static Piece utf8Broken(String label, String before, String after) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes(new byte[] { (byte) 0xc3, (byte) 0x28, (byte) 0xff, (byte) 0xed, (byte) 0xa0, (byte) 0x80 });
        bytes.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return new Piece(label, Kind.FRAME, bytes.toByteArray(), true);
    }

    private static byte[] unmasked(byte[] payload) {
        byte[] frame = new byte[payload.length + 2];
        frame[0] = (byte) (0x80 | RawWebSocketFrames.OPCODE_TEXT);
        frame[1] = (byte) payload.length;
        System.arraycopy(payload, 0, frame, 2, payload.length);
        return frame;
    }

    private static boolean isCommand(String command) {
        try {
            org.springframework.messaging.simp.stomp.StompCommand.valueOf(command);
            return true;
        }
        catch (IllegalArgumentException ex) {
            return false;
        }
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        }
        catch (java.nio.charset.CharacterCodingException ex) {
            return false;
        }
    }
}
