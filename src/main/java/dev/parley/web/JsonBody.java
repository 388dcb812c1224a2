package dev.parley.web;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.parley.core.ChatException;
import dev.parley.core.ErrorCode;

/**
 * Reads STOMP frame bodies as JSON trees. Bodies are read by hand rather than bound to types
 * because the contract distinguishes cases a binder would blur: a number where text belongs is
 * {@code INVALID_MESSAGE}, not a coerced string, and a body that is no JSON object is
 * {@code BAD_REQUEST}.
 */
public final class JsonBody {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private JsonBody() {
    }

    /** The body as a JSON object, or {@code BAD_REQUEST}. An empty body counts as {@code {}}. */
    public static JsonNode object(byte[] payload) {
        if (payload.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(payload);
            if (node != null && node.isObject()) {
                return node;
            }
        }
        catch (JacksonException ex) {
            // answered below, like any other body that is not an object
        }
        throw new ChatException(ErrorCode.BAD_REQUEST, "the body must be a JSON object");
    }

    /** The frame's {@code clientId} as sent, for error replies, or {@code null}; never throws. */
    static String clientIdOf(Object payload) {
        if (!(payload instanceof byte[] bytes) || bytes.length == 0) {
            return null;
        }
        try {
            JsonNode clientId = MAPPER.readTree(bytes).get("clientId");
            return (clientId != null && clientId.isString()) ? clientId.stringValue() : null;
        }
        catch (JacksonException | UnsupportedOperationException ex) {
            return null;
        }
    }
}
