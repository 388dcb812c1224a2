package dev.parley.bench;

import java.util.Collection;
import java.util.Map;

/** Writes maps, lists, strings, numbers, booleans and null as indented JSON. */
final class JsonOut {

    private JsonOut() {
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0);
        return out.append('\n').toString();
    }

    private static void write(StringBuilder out, Object value, int indent) {
        if (value == null) {
            out.append("null");
        }
        else if (value instanceof String s) {
            Json.quoteTo(out, s);
        }
        else if (value instanceof Double d) {
            out.append(d.isNaN() || d.isInfinite() ? "null" : round(d));
        }
        else if (value instanceof Float f) {
            write(out, f.doubleValue(), indent);
        }
        else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        }
        else if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                pad(out, indent + 1);
                Json.quoteTo(out, String.valueOf(entry.getKey()));
                out.append(": ");
                write(out, entry.getValue(), indent + 1);
                out.append(++i < map.size() ? ",\n" : "\n");
            }
            pad(out, indent);
            out.append('}');
        }
        else if (value instanceof Collection<?> list) {
            if (list.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append("[\n");
            int i = 0;
            for (Object item : list) {
                pad(out, indent + 1);
                write(out, item, indent + 1);
                out.append(++i < list.size() ? ",\n" : "\n");
            }
            pad(out, indent);
            out.append(']');
        }
        else {
            Json.quoteTo(out, value.toString());
        }
    }

    private static String round(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(Math.round(d * 1000.0) / 1000.0);
    }

    private static void pad(StringBuilder out, int indent) {
        out.append("  ".repeat(indent));
    }
}
