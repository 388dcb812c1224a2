package dev.parley.bench;

import java.util.LinkedHashMap;
import java.util.Map;

import org.HdrHistogram.Histogram;

/** Percentiles of a histogram of microseconds, in milliseconds. */
public record LatencySummary(long count, double p50, double p90, double p99, double p999, double max, double mean) {

    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0);

    public static LatencySummary ofMicros(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return EMPTY;
        }
        return new LatencySummary(micros.getTotalCount(), ms(micros.getValueAtPercentile(50)),
                ms(micros.getValueAtPercentile(90)), ms(micros.getValueAtPercentile(99)),
                ms(micros.getValueAtPercentile(99.9)), ms(micros.getMaxValue()), micros.getMean() / 1000.0);
    }

    /** A histogram for microseconds up to an hour, 3 significant digits. */
    public static Histogram newMicrosHistogram() {
        return new Histogram(3_600_000_000L, 3);
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    public String row() {
        return String.format("p50 %s  p90 %s  p99 %s  p99.9 %s  max %s ms", fmt(this.p50), fmt(this.p90),
                fmt(this.p99), fmt(this.p999), fmt(this.max));
    }

    static String fmt(double ms) {
        if (ms >= 100) {
            return String.format("%.0f", ms);
        }
        if (ms >= 10) {
            return String.format("%.1f", ms);
        }
        return String.format("%.2f", ms);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("count", this.count);
        json.put("p50Ms", this.p50);
        json.put("p90Ms", this.p90);
        json.put("p99Ms", this.p99);
        json.put("p999Ms", this.p999);
        json.put("maxMs", this.max);
        json.put("meanMs", this.mean);
        return json;
    }
}
