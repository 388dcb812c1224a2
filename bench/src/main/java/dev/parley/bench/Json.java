package dev.parley.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for the bench: reading the top-level fields of an object or the elements of an
 * array (strings unescaped, numbers, booleans and null as their text, nested objects and arrays as
 * their raw text) and quoting strings for writing.
 */
public final class Json {

    private Json() {
    }

    /** The top-level fields of a JSON object; {@code null} values map to {@code null}. */
    public static Map<String, String> fields(String json) {
        Reader reader = new Reader(json);
        return reader.object();
    }

    /**
     * The values of the named top-level fields of a JSON object, in the order of the names
     * ({@code null} when absent or null); other fields are skipped without being copied.
     */
    public static String[] select(String json, String... names) {
        return new Reader(json).select(names);
    }

    /**
     * The elements of a JSON array, as {@link #fields(String)} reads values (a Socket.IO event is
     * an array: its name, then its arguments).
     */
    public static List<String> elements(String json) {
        return new Reader(json).array();
    }

    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2);
        quoteTo(out, value);
        return out.toString();
    }

    public static void quoteTo(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                    else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    public static final class JsonException extends RuntimeException {
        JsonException(String message) {
            super(message);
        }
    }

    private static final class Reader {

        private final String text;

        private int pos;

        Reader(String text) {
            this.text = text;
        }

        Map<String, String> object() {
            skipSpace();
            expect('{');
            Map<String, String> fields = new HashMap<>();
            skipSpace();
            if (peek() == '}') {
                this.pos++;
                return fields;
            }
            while (true) {
                skipSpace();
                String name = string();
                skipSpace();
                expect(':');
                skipSpace();
                fields.put(name, value());
                skipSpace();
                char c = next();
                if (c == '}') {
                    return fields;
                }
                if (c != ',') {
                    throw error("',' or '}' expected");
                }
            }
        }

        List<String> array() {
            skipSpace();
            expect('[');
            List<String> values = new ArrayList<>();
            skipSpace();
            if (peek() == ']') {
                this.pos++;
                return values;
            }
            while (true) {
                skipSpace();
                values.add(value());
                skipSpace();
                char c = next();
                if (c == ']') {
                    return values;
                }
                if (c != ',') {
                    throw error("',' or ']' expected");
                }
            }
        }

        String[] select(String[] names) {
            String[] values = new String[names.length];
            skipSpace();
            expect('{');
            skipSpace();
            if (peek() == '}') {
                return values;
            }
            while (true) {
                skipSpace();
                int wanted = key(names);
                skipSpace();
                expect(':');
                skipSpace();
                if (wanted >= 0) {
                    values[wanted] = value();
                }
                else {
                    skipValue();
                }
                skipSpace();
                char c = next();
                if (c == '}') {
                    return values;
                }
                if (c != ',') {
                    throw error("',' or '}' expected");
                }
            }
        }

        /** Reads a key; the index of the name it equals, or -1. */
        private int key(String[] names) {
            int start = this.pos + 1;
            boolean escaped = skipString();
            int length = this.pos - 1 - start;
            if (escaped) {
                this.pos = start - 1;
                String key = string();
                for (int i = 0; i < names.length; i++) {
                    if (names[i].equals(key)) {
                        return i;
                    }
                }
                return -1;
            }
            for (int i = 0; i < names.length; i++) {
                if (names[i].length() == length && this.text.regionMatches(start, names[i], 0, length)) {
                    return i;
                }
            }
            return -1;
        }

        /** Skips a string; whether it held an escape. */
        private boolean skipString() {
            expect('"');
            boolean escaped = false;
            while (this.pos < this.text.length()) {
                char c = this.text.charAt(this.pos++);
                if (c == '"') {
                    return escaped;
                }
                if (c == '\\') {
                    escaped = true;
                    this.pos++;
                }
            }
            throw error("unterminated string");
        }

        private void skipValue() {
            char c = peek();
            if (c == '"') {
                skipString();
            }
            else if (c == '{' || c == '[') {
                skipNested();
            }
            else {
                int start = this.pos;
                while (this.pos < this.text.length()) {
                    char d = this.text.charAt(this.pos);
                    if (d == ',' || d == '}' || d == ']' || Character.isWhitespace(d)) {
                        break;
                    }
                    this.pos++;
                }
                if (this.pos == start) {
                    throw error("value expected");
                }
            }
        }

        private String value() {
            char c = peek();
            if (c == '"') {
                return string();
            }
            if (c == '{' || c == '[') {
                int start = this.pos;
                skipNested();
                return this.text.substring(start, this.pos);
            }
            int start = this.pos;
            while (this.pos < this.text.length()) {
                char d = this.text.charAt(this.pos);
                if (d == ',' || d == '}' || d == ']' || Character.isWhitespace(d)) {
                    break;
                }
                this.pos++;
            }
            String literal = this.text.substring(start, this.pos);
            if (literal.isEmpty()) {
                throw error("value expected");
            }
            return literal.equals("null") ? null : literal;
        }

        private void skipNested() {
            int depth = 0;
            while (this.pos < this.text.length()) {
                char c = this.text.charAt(this.pos);
                if (c == '"') {
                    skipString();
                    continue;
                }
                this.pos++;
                if (c == '{' || c == '[') {
                    depth++;
                }
                else if (c == '}' || c == ']') {
                    depth--;
                    if (depth == 0) {
                        return;
                    }
                }
            }
            throw error("unterminated object or array");
        }

        private String string() {
            expect('"');
            int start = this.pos;
            // fast path: no escapes
            while (this.pos < this.text.length()) {
                char c = this.text.charAt(this.pos);
                if (c == '"') {
                    return this.text.substring(start, this.pos++);
                }
                if (c == '\\') {
                    break;
                }
                this.pos++;
            }
            StringBuilder out = new StringBuilder(this.text.substring(start, this.pos));
            while (this.pos < this.text.length()) {
                char c = this.text.charAt(this.pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        if (this.pos + 4 > this.text.length()) {
                            throw error("short \\u escape");
                        }
                        out.append((char) Integer.parseInt(this.text.substring(this.pos, this.pos + 4), 16));
                        this.pos += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
            throw error("unterminated string");
        }

        private void skipSpace() {
            while (this.pos < this.text.length() && Character.isWhitespace(this.text.charAt(this.pos))) {
                this.pos++;
            }
        }

        private char peek() {
            if (this.pos >= this.text.length()) {
                throw error("unexpected end");
            }
            return this.text.charAt(this.pos);
        }

        private char next() {
            char c = peek();
            this.pos++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) {
                throw error("'" + c + "' expected");
            }
        }

        private JsonException error(String message) {
            return new JsonException(message + " at " + this.pos);
        }
    }
}
