import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How long a commit of the embedded store waits for SQLite's write-ahead log checkpoints
 * (docs/performance.md, session 16): one writer commits a message-sized row 1,000 times a second,
 * as the one-sender burst does, and the tool reports the commits' latency and the log's size.
 *
 * <pre>
 * SQLITE=~/.m2/repository/org/xerial/sqlite-jdbc/3.53.4.0/sqlite-jdbc-3.53.4.0.jar
 * java -cp $SQLITE bench/tools/CheckpointStalls.java MODE [COMMITS] [INTERVAL_MS]
 * </pre>
 *
 * MODE is one of
 * <ul>
 * <li>{@code auto}: SQLite's own checkpoints, run by the commit that takes the log past 1,000
 * pages (Parley before session 16, and with {@code chat.store.checkpoint-interval=0s});
 * <li>{@code passive}: automatic checkpoints off, a passive checkpoint by another connection
 * every interval (the first attempt of session 16: the log is never started over while the
 * writer writes);
 * <li>{@code two-step}: as {@code passive}, then a second passive checkpoint while the writer is
 * held out, as {@code WalCheckpoints} does.
 * </ul>
 * The database is a fresh file under /tmp; synchronous=NORMAL as Parley's default.
 */
public class CheckpointStalls {

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "two-step";
        int commits = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        long intervalMillis = args.length > 2 ? Long.parseLong(args[2]) : 1000;
        if (!mode.equals("auto") && !mode.equals("passive") && !mode.equals("two-step")) {
            throw new IllegalArgumentException("MODE: auto, passive or two-step");
        }
        Path file = Files.createTempDirectory("checkpoint-stalls").resolve("store.db");
        String url = "jdbc:sqlite:" + file;
        Properties pragmas = new Properties();
        pragmas.setProperty("journal_mode", "WAL");
        pragmas.setProperty("synchronous", "NORMAL");
        pragmas.setProperty("busy_timeout", "10000");
        pragmas.setProperty("wal_autocheckpoint", mode.equals("auto") ? "1000" : "0");
        Connection writer = DriverManager.getConnection(url, pragmas);
        try (Statement statement = writer.createStatement()) {
            statement.execute("create table message (room text, id integer, sender text, body text, at text, "
                    + "client_id text, primary key (room, id))");
            statement.execute("create unique index message_client on message (room, sender, client_id)");
        }
        Connection checkpointer = DriverManager.getConnection(url, pragmas);
        ReentrantLock writes = new ReentrantLock(true);
        long[] latency = new long[commits];
        long[] largestLog = { 0 };
        Thread thread = new Thread(() -> {
            long next = System.nanoTime();
            try {
                for (int i = 0; i < commits; i++) {
                    next += 1_000_000;
                    while (System.nanoTime() < next) {
                        Thread.onSpinWait();
                    }
                    long start = System.nanoTime();
                    writes.lock();
                    try (PreparedStatement insert = writer.prepareStatement(
                            "insert into message values ('room-1', ?, 'alice', ?, '2026-12-06T19:00:00Z', ?)")) {
                        insert.setLong(1, i + 1);
                        insert.setString(2, "a message of about the length of a chat line, " + i);
                        insert.setString(3, "client-" + i);
                        insert.executeUpdate();
                    }
                    finally {
                        writes.unlock();
                    }
                    latency[i] = System.nanoTime() - start;
                }
            }
            catch (SQLException ex) {
                throw new IllegalStateException(ex);
            }
        });
        thread.start();
        long heldOutMax = 0;
        while (thread.isAlive()) {
            thread.join(intervalMillis);
            if (!thread.isAlive() || mode.equals("auto")) {
                continue;
            }
            largestLog[0] = Math.max(largestLog[0], passive(checkpointer));
            if (mode.equals("two-step")) {
                long start = System.nanoTime();
                writes.lock();
                try {
                    passive(checkpointer);
                }
                finally {
                    writes.unlock();
                }
                heldOutMax = Math.max(heldOutMax, System.nanoTime() - start);
            }
        }
        long[] sorted = latency.clone();
        Arrays.sort(sorted);
        System.out.printf("%s, %d commits at 1,000/s%s: commit p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms; "
                + "log file %.1f MB at the end%s%n", mode, commits,
                mode.equals("auto") ? "" : ", checkpoint every " + intervalMillis + " ms",
                ms(sorted, 0.5), ms(sorted, 0.99), ms(sorted, 0.999), sorted[sorted.length - 1] / 1e6,
                Files.size(Path.of(file + "-wal")) / 1e6,
                mode.equals("two-step") ? String.format("; writer held out at most %.3f ms", heldOutMax / 1e6) : "");
        writer.close();
        checkpointer.close();
    }

    /** A passive checkpoint; the pages in the log it found. */
    private static long passive(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("pragma wal_checkpoint(passive)")) {
            result.next();
            return result.getLong(2);
        }
    }

    private static double ms(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * quantile))] / 1e6;
    }
}
