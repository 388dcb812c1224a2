package dev.parley.core;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;

import org.jspecify.annotations.Nullable;

/**
 * Reads the times the histories store: SQLite keeps the ISO-8601 text it was given
 * ({@link OffsetDateTime#toString()} of a UTC time, such as {@code 2026-12-07T13:49:35.123Z}),
 * PostgreSQL a timestamp.
 * <p>
 * Why not {@link OffsetDateTime#parse}: a catch-up fetch reads a page of messages per client,
 * and in a reconnect storm the formatter's parse was half of the rows' mapping. The text in UTC
 * that Parley writes is read by hand; any other text goes to the formatter.
 */
public final class StoredInstants {

    private StoredInstants() {
    }

    /** The time in the column, or {@code null} where it holds none. */
    public static @Nullable Instant read(ResultSet rs, String column) throws SQLException {
        Object value = rs.getObject(column);
        if (value == null) {
            return null;
        }
        if (value instanceof String text) {
            return parse(text);
        }
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    /**
     * {@code yyyy-MM-ddTHH:mm[:ss[.fraction]]Z}, the forms {@link OffsetDateTime#toString()}
     * gives in UTC, read by hand; anything else, other offsets included, as ISO-8601.
     */
    static Instant parse(String text) {
        Instant utc = parseUtc(text);
        return (utc != null) ? utc : OffsetDateTime.parse(text).toInstant();
    }

    private static @Nullable Instant parseUtc(String text) {
        int length = text.length();
        // yyyy-MM-ddTHH:mmZ at the least
        if (length < 17 || text.charAt(length - 1) != 'Z' || text.charAt(4) != '-' || text.charAt(7) != '-'
                || text.charAt(10) != 'T' || text.charAt(13) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = 0;
        int nanos = 0;
        int at = 16;
        if (at < length - 1) {
            if (text.charAt(at) != ':') {
                return null;
            }
            second = digits(text, at + 1, 2);
            at += 3;
            if (at < length - 1) {
                int fraction = length - 1 - (at + 1);
                if (text.charAt(at) != '.' || fraction < 1 || fraction > 9) {
                    return null;
                }
                nanos = digits(text, at + 1, fraction);
                for (int i = fraction; i < 9; i++) {
                    nanos *= 10;
                }
                at += 1 + fraction;
            }
        }
        if (at != length - 1 || year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59 || nanos < 0) {
            return null;
        }
        try {
            long days = LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
        }
        catch (DateTimeException ex) {
            return null;
        }
    }

    /** The number written by {@code count} decimal digits from {@code from}, or -1. */
    private static int digits(String text, int from, int count) {
        if (from + count > text.length()) {
            return -1;
        }
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
