package dev.parley.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import dev.parley.core.ErrorCode;

/**
 * An error reply on {@code /user/queue/errors}:
 * {@code {"type":"ERROR","code":"NOT_JOINED","message":"…","destination":"…","clientId":null}}.
 */
@JsonPropertyOrder({ "type", "code", "message", "destination", "clientId" })
record ErrorReply(ErrorCode code, String message, String destination, String clientId) {

    @JsonProperty("type")
    String type() {
        return "ERROR";
    }
}
