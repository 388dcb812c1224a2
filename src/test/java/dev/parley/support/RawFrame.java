package dev.parley.support;

import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/** A STOMP frame as received. */
public record RawFrame(String command, Map<String, String> headers, String body) {

    public JsonNode json() {
        return ParleyApi.JSON.readTree(this.body);
    }

    public static RawFrame parse(String text) {
        int headerEnd = text.indexOf("\n\n");
        String head = (headerEnd >= 0) ? text.substring(0, headerEnd) : text;
        String body = (headerEnd >= 0) ? text.substring(headerEnd + 2) : "";
        String[] lines = head.split("\r?\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(lines[i].substring(0, colon), lines[i].substring(colon + 1));
            }
        }
        return new RawFrame(lines[0].strip(), headers, body);
    }
}
