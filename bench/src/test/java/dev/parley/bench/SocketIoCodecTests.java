package dev.parley.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Engine.IO v4 / Socket.IO v5 packets as a Socket.IO 4 server sends and expects them over a WebSocket. */
class SocketIoCodecTests {

    @Test
    void decodesTheOpenPacketAndItsHandshake() {
        SocketIoCodec.Packet open = SocketIoCodec.decode("0{\"sid\":\"npgjgivE62DMTqEGAAAA\",\"upgrades\":[],"
                + "\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}");
        assertEquals(SocketIoCodec.OPEN, open.engineType());
        assertEquals(SocketIoCodec.NONE, open.type());
        Map<String, String> handshake = Json.fields(open.data());
        assertEquals("npgjgivE62DMTqEGAAAA", handshake.get("sid"));
        assertEquals("25000", handshake.get("pingInterval"));
        assertEquals("20000", handshake.get("pingTimeout"));
        assertEquals("[]", handshake.get("upgrades"));
    }

    @Test
    void encodesTheConnectAndDecodesItsAnswer() {
        assertEquals("40", SocketIoCodec.connect());
        SocketIoCodec.Packet connected = SocketIoCodec.decode("40{\"sid\":\"wZX3oN0bSVIhsaknAAAI\"}");
        assertEquals(SocketIoCodec.MESSAGE, connected.engineType());
        assertTrue(connected.is(SocketIoCodec.CONNECT));
        assertEquals("/", connected.namespace());
        assertEquals(SocketIoCodec.NONE, connected.ackId());
        assertEquals("{\"sid\":\"wZX3oN0bSVIhsaknAAAI\"}", connected.data());
    }

    @Test
    void decodesPingAndEncodesPong() {
        SocketIoCodec.Packet ping = SocketIoCodec.decode("2");
        assertEquals(SocketIoCodec.PING, ping.engineType());
        assertEquals("", ping.data());
        assertFalse(ping.is(SocketIoCodec.EVENT));
        assertEquals("3", SocketIoCodec.pong());
        assertEquals(SocketIoCodec.PONG, SocketIoCodec.decode(SocketIoCodec.pong()).engineType());
        assertEquals(SocketIoCodec.CLOSE, SocketIoCodec.decode("1").engineType());
    }

    @Test
    void encodesEventsWithAndWithoutAck() {
        assertEquals("420[\"join\",\"bench-1\"]", SocketIoCodec.event(0, "join", Json.quote("bench-1")));
        assertEquals("42[\"chat message\",\"r\",{\"sender\":\"a\",\"text\":\"hi\"}]", SocketIoCodec.event(SocketIoCodec.NONE,
                "chat message", Json.quote("r"), "{\"sender\":\"a\",\"text\":\"hi\"}"));
        assertEquals("4213[\"ping\"]", SocketIoCodec.event(13, "ping"));
    }

    @Test
    void decodesEventsAndAcks() {
        SocketIoCodec.Packet event = SocketIoCodec.decode("42[\"chat message\",{\"sender\":\"bxu3\",\"text\":\"pb:0:m:7:123\"}]");
        assertTrue(event.is(SocketIoCodec.EVENT));
        assertEquals(SocketIoCodec.NONE, event.ackId());
        List<String> arguments = event.arguments();
        assertEquals(2, arguments.size());
        assertEquals("chat message", arguments.get(0));
        assertEquals("{\"sender\":\"bxu3\",\"text\":\"pb:0:m:7:123\"}", arguments.get(1));
        assertEquals("pb:0:m:7:123", Json.fields(arguments.get(1)).get("text"));

        SocketIoCodec.Packet ack = SocketIoCodec.decode("430[]");
        assertTrue(ack.is(SocketIoCodec.ACK));
        assertEquals(0, ack.ackId());
        assertEquals(List.of(), ack.arguments());
        SocketIoCodec.Packet bigAck = SocketIoCodec.decode("43125[\"ok\",null]");
        assertEquals(125, bigAck.ackId());
        assertEquals(Arrays.asList("ok", null), bigAck.arguments());
    }

    @Test
    void decodesANamespace() {
        SocketIoCodec.Packet event = SocketIoCodec.decode("42/admin,7[\"x\"]");
        assertEquals("/admin", event.namespace());
        assertEquals(7, event.ackId());
        assertEquals(List.of("x"), event.arguments());
        SocketIoCodec.Packet disconnect = SocketIoCodec.decode("41/admin");
        assertTrue(disconnect.is(SocketIoCodec.DISCONNECT));
        assertEquals("/admin", disconnect.namespace());
        assertEquals("", disconnect.data());
    }

    @Test
    void roundTripsAStringWithEscapes() {
        String text = "quote \" backslash \\ slash / newline \n tab \t control \u0001 é € 😀 ] , }";
        String encoded = SocketIoCodec.event(SocketIoCodec.NONE, "chat message", Json.quote("r"),
                "{\"sender\":\"a\",\"text\":" + Json.quote(text) + "}");
        assertTrue(encoded.contains("\\\"") && encoded.contains("\\\\") && encoded.contains("\\n") && encoded.contains("\\u0001"));
        List<String> arguments = SocketIoCodec.decode(encoded).arguments();
        assertEquals(List.of("chat message", "r"), arguments.subList(0, 2));
        assertEquals(text, Json.fields(arguments.get(2)).get("text"));
        // as another encoder may write it: \/ and \\u escapes, spaces
        List<String> escaped = SocketIoCodec.decode("42[ \"chat message\" , \"a\\/b \\u00e9\\ud83d\\ude00\" ]").arguments();
        assertEquals("a/b é😀", escaped.get(1));
    }

    @Test
    void refusesWhatItCannotDecode() {
        assertThrows(SocketIoCodec.SocketIoException.class, () -> SocketIoCodec.decode(""));
        assertThrows(SocketIoCodec.SocketIoException.class, () -> SocketIoCodec.decode("9"));
        assertThrows(SocketIoCodec.SocketIoException.class, () -> SocketIoCodec.decode("4"));
        assertThrows(SocketIoCodec.SocketIoException.class, () -> SocketIoCodec.decode("4x"));
        assertThrows(SocketIoCodec.SocketIoException.class, () -> SocketIoCodec.decode("451-[\"file\",{\"_placeholder\":true,\"num\":0}]"));
        assertThrows(Json.JsonException.class, () -> SocketIoCodec.decode("42[\"chat message\",").arguments());
        assertNull(SocketIoCodec.decode("42[null]").arguments().get(0));
    }
}
