package dev.parley.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One STOMP frame: a command, headers in wire order (repeats allowed: the first one counts, as
 * STOMP 1.2 says) and a body (text; the bench only speaks text frames).
 */
public record StompFrame(String command, List<Header> headers, String body) {

    public record Header(String name, String value) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    public StompFrame {
        Objects.requireNonNull(command, "command");
        headers = List.copyOf(headers);
        body = (body != null) ? body : "";
    }

    /** The value of the first header with this name, or {@code null}. */
    public String header(String name) {
        for (Header header : this.headers) {
            if (header.name().equals(name)) {
                return header.value();
            }
        }
        return null;
    }

    public static Builder builder(String command) {
        return new Builder(command);
    }

    public static final class Builder {

        private final String command;

        private final List<Header> headers = new ArrayList<>();

        private String body = "";

        private Builder(String command) {
            this.command = command;
        }

        public Builder header(String name, String value) {
            this.headers.add(new Header(name, value));
            return this;
        }

        public Builder body(String body) {
            this.body = body;
            return this;
        }

        public StompFrame build() {
            return new StompFrame(this.command, this.headers, this.body);
        }
    }
}
