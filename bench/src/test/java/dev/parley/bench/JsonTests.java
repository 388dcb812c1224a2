package dev.parley.bench;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTests {

    @Test
    void readsTheFieldsOfAMessageEvent() {
        Map<String, String> fields = Json.fields("{\"type\":\"MESSAGE\",\"id\":1042,\"room\":\"general\",\"sender\":\"alice\","
                + "\"text\":\"say \\\"hi\\\" \\\\ \\u00e9\\n\",\"sentAt\":\"2026-11-21T23:59:00.123Z\",\"clientId\":null}");
        assertEquals("MESSAGE", fields.get("type"));
        assertEquals("1042", fields.get("id"));
        assertEquals("say \"hi\" \\ é\n", fields.get("text"));
        assertTrue(fields.containsKey("clientId"));
        assertNull(fields.get("clientId"));
    }

    @Test
    void keepsNestedValuesRaw() {
        Map<String, String> fields = Json.fields(" { \"room\" : \"a\", \"users\" : [\"x\", \"]\"], \"o\":{\"k\":{}} , \"b\":true } ");
        assertEquals("[\"x\", \"]\"]", fields.get("users"));
        assertEquals("{\"k\":{}}", fields.get("o"));
        assertEquals("true", fields.get("b"));
        assertEquals("a", fields.get("room"));
    }

    @Test
    void selectsSomeFieldsAndSkipsTheRest() {
        String json = "{\"type\":\"MESSAGE\",\"id\":7,\"nested\":{\"text\":\"no\"},\"list\":[1,\"}\"],"
                + "\"te\\u0078t\":\"escaped key\",\"sender\":\"a\\\"b\",\"clientId\":null}";
        String[] values = Json.select(json, "text", "id", "type", "sender", "clientId", "missing");
        assertEquals("escaped key", values[0]);
        assertEquals("7", values[1]);
        assertEquals("MESSAGE", values[2]);
        assertEquals("a\"b", values[3]);
        assertNull(values[4]);
        assertNull(values[5]);
        assertThrows(Json.JsonException.class, () -> Json.select("{\"a\":\"x", "a"));
    }

    @Test
    void readsTheElementsOfAnArray() {
        assertEquals(java.util.List.of("chat message", "{\"text\":\"]\"}", "12", "true", "[1,[2]]"),
                Json.elements(" [\"chat message\", {\"text\":\"]\"} ,12,true,[1,[2]]] "));
        assertEquals(java.util.List.of(), Json.elements("[ ]"));
        assertEquals("a\"b\n", Json.elements("[\"a\\\"b\\n\"]").get(0));
        assertThrows(Json.JsonException.class, () -> Json.elements("{\"a\":1}"));
        assertThrows(Json.JsonException.class, () -> Json.elements("[1 2]"));
        assertThrows(Json.JsonException.class, () -> Json.elements("[1,"));
    }

    @Test
    void refusesBrokenJson() {
        assertThrows(Json.JsonException.class, () -> Json.fields("{\"a\":1"));
        assertThrows(Json.JsonException.class, () -> Json.fields("[1]"));
        assertThrows(Json.JsonException.class, () -> Json.fields("{\"a\" 1}"));
    }

    @Test
    void quotesWhatItReads() {
        String text = "quote \" backslash \\ newline \n tab \t control \u0001 é";
        assertEquals(text, Json.fields("{\"t\":" + Json.quote(text) + "}").get("t"));
    }
}
