package dev.parley.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** CPU and memory of the generator, the server process and the machine (Linux /proc, jcmd). */
public final class Probes {

    private static final long CLOCK_TICKS = clockTicks();

    private static final Pattern HEAP_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");

    private Probes() {
    }

    /** The generator's own CPU time (all threads), in nanoseconds. */
    public static long ownCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** A process's user+system CPU time from /proc/{pid}/stat, in nanoseconds, or -1. */
    public static long processCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return cpuNanosFromStat(stat, CLOCK_TICKS);
        }
        catch (IOException | RuntimeException ex) {
            return -1;
        }
    }

    /** utime + stime (fields 14 and 15; the command name in parentheses may hold spaces). */
    static long cpuNanosFromStat(String stat, long ticksPerSecond) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // fields[0] is field 3 (state): utime is field 14, stime field 15
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * (1_000_000_000L / ticksPerSecond);
    }

    /** A process's resident set (VmRSS of /proc/{pid}/status), in bytes, or -1. */
    public static long processRssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            // gone
        }
        return -1;
    }

    /**
     * How many TCP sockets of this machine (network namespace) on the given local port the local
     * side has closed and the peer has not: FIN_WAIT1 (the FIN still waits behind unsent data, as
     * it does for a client that stopped reading), FIN_WAIT2 or CLOSING. With the server on this
     * machine that counts the connections it has closed and the clients have not noticed. -1 if
     * /proc/net/tcp cannot be read.
     */
    public static int closedByLocalSide(int localPort) {
        int count = -1;
        for (String table : new String[] { "/proc/net/tcp", "/proc/net/tcp6" }) {
            try {
                int found = countClosedByLocalSide(Files.readString(Path.of(table)), localPort);
                count = Math.max(count, 0) + found;
            }
            catch (IOException | RuntimeException ex) {
                // no IPv6, or no /proc
            }
        }
        return count;
    }

    /** Counts the rows of a /proc/net/tcp(6) table with that local port in state 04, 05 or 0B. */
    static int countClosedByLocalSide(String table, int localPort) {
        int count = 0;
        String[] lines = table.split("\n");
        // the first line is the header: sl local_address rem_address st ...
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 4) {
                continue;
            }
            String local = f[1];
            int port = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
            if (port == localPort && ("04".equals(f[3]) || "05".equals(f[3]) || "0B".equals(f[3]))) {
                count++;
            }
        }
        return count;
    }

    public static boolean alive(long pid) {
        return Files.exists(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /**
     * The CPU time of each process (utime + stime), nanoseconds, in the order given: for a
     * cluster, summed with {@link #sum(long[])}.
     */
    public static long[] processCpuNanos(java.util.List<Long> pids) {
        long[] nanos = new long[pids.size()];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = processCpuNanos(pids.get(i));
        }
        return nanos;
    }

    /** The RSS of the processes together, or -1 if one of them could not be read. */
    public static long processRssBytes(java.util.List<Long> pids) {
        long[] bytes = new long[pids.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = processRssBytes(pids.get(i));
        }
        return sum(bytes);
    }

    /** Runs a GC in each process; whether every one ran. */
    public static boolean gc(java.util.List<Long> pids) {
        boolean all = true;
        for (long pid : pids) {
            all &= gc(pid);
        }
        return all;
    }

    /** The heap used in the processes together (jcmd), or -1 if one of them could not be read. */
    public static long heapUsedBytes(java.util.List<Long> pids) {
        long[] bytes = new long[pids.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = heapUsedBytes(pids.get(i));
        }
        return sum(bytes);
    }

    /**
     * The sum of per-process figures, or -1 if there are none or one of them is unknown (-1): a
     * cluster's figure summed over part of its instances would pass for the whole.
     */
    static long sum(long[] values) {
        if (values == null || values.length == 0) {
            return -1;
        }
        long sum = 0;
        for (long value : values) {
            if (value < 0) {
                return -1;
            }
            sum += value;
        }
        return sum;
    }

    /**
     * Per process, the CPU used between two readings as cores over {@code seconds}; NaN for a
     * process either reading missed.
     */
    static double[] coresBetween(long[] before, long[] after, double seconds) {
        double[] cores = new double[before.length];
        for (int i = 0; i < cores.length; i++) {
            cores[i] = (before[i] < 0 || after[i] < 0) ? Double.NaN : (after[i] - before[i]) / 1e9 / seconds;
        }
        return cores;
    }

    /** The sum of per-process cores, NaN if there are none or one is NaN. */
    static double sumCores(double[] cores) {
        if (cores.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (double each : cores) {
            sum += each;
        }
        return sum;
    }

    /** Busy and total jiffies of the whole machine (first line of /proc/stat). */
    public static long[] machineJiffies() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] { total - idle, total };
        }
        catch (IOException | RuntimeException ex) {
            return new long[] { -1, -1 };
        }
    }

    public static double jiffiesToSeconds(long jiffies) {
        return jiffies / (double) CLOCK_TICKS;
    }

    /** Runs {@code jcmd PID GC.run}; false if it failed. */
    public static boolean gc(long pid) {
        return jcmd(pid, "GC.run") != null;
    }

    /** Heap used after {@code jcmd PID GC.heap_info}, in bytes, or -1. */
    public static long heapUsedBytes(long pid) {
        String out = jcmd(pid, "GC.heap_info");
        return (out == null) ? -1 : heapUsedFromHeapInfo(out);
    }

    /** Sums the "used" of every "total …K, used …K" line (one for G1, one per generation otherwise). */
    static long heapUsedFromHeapInfo(String heapInfo) {
        long usedK = 0;
        boolean found = false;
        for (String line : heapInfo.split("\n")) {
            if (line.contains("Metaspace") || line.contains("class space")) {
                continue;
            }
            Matcher m = HEAP_USED.matcher(line);
            if (m.find()) {
                usedK += Long.parseLong(m.group(2));
                found = true;
            }
        }
        return found ? usedK * 1024 : -1;
    }

    private static String jcmd(long pid, String command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        String exe = Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd";
        try {
            Process process = new ProcessBuilder(exe, Long.toString(pid), command).redirectErrorStream(true).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return null;
            }
            return new String(out, StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            return null;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static long clockTicks() {
        try {
            Process process = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            process.waitFor(5, TimeUnit.SECONDS);
            long ticks = Long.parseLong(out);
            return (ticks > 0) ? ticks : 100;
        }
        catch (IOException | RuntimeException ex) {
            return 100;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
