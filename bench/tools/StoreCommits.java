import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * What it costs to make chat messages survive a crash on an embedded store (docs/performance.md,
 * session 12): one writer stores messages into 10 rooms, a transaction per batch of messages,
 * and reports messages per second, the process's CPU per message and the file's growth.
 *
 * <pre>
 * H2=~/.m2/repository/com/h2database/h2/2.4.240/h2-2.4.240.jar
 * SQLITE=~/.m2/repository/org/xerial/sqlite-jdbc/3.54.1.0/sqlite-jdbc-3.54.1.0.jar
 * java -cp $H2:$SQLITE bench/tools/StoreCommits.java STORE BATCH [MESSAGES]
 * </pre>
 *
 * STORE is one of
 * <ul>
 * <li>{@code h2-delay}: H2 as Parley ran before session 12, commits written by a background
 * thread up to 500 ms later (a kill loses them);
 * <li>{@code h2}: H2 with {@code WRITE_DELAY=0}, each commit written to the file before it returns
 * (survives the death of the process);
 * <li>{@code h2-sync}: as {@code h2}, and {@code CHECKPOINT SYNC} (fsync) after each commit
 * (survives a power loss);
 * <li>{@code sqlite}, {@code sqlite-sync}: SQLite in WAL mode with {@code synchronous=NORMAL}
 * (survives the death of the process) or {@code FULL} (fsync per commit).
 * </ul>
 * BATCH is the number of messages per transaction: 1 is a commit per message, more is what a
 * group commit achieves when that many messages are waiting.
 */
public class StoreCommits {

    private static final int ROOMS = 10;

    public static void main(String[] args) throws Exception {
        String store = args[0];
        int batch = Integer.parseInt(args[1]);
        int messages = (args.length > 2) ? Integer.parseInt(args[2]) : 20_000;
        Path dir = Files.createTempDirectory("store-commits");
        try {
            run(store, batch, messages, dir);
        }
        finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static void run(String store, int batch, int messages, Path dir) throws Exception {
        boolean sqlite = store.startsWith("sqlite");
        String url = switch (store) {
            case "h2-delay" -> "jdbc:h2:file:" + dir.resolve("db");
            case "h2", "h2-sync" -> "jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=0" + System.getProperty("h2", "");
            case "sqlite", "sqlite-sync" -> "jdbc:sqlite:" + dir.resolve("db.sqlite");
            default -> throw new IllegalArgumentException("unknown store " + store);
        };
        try (Connection connection = DriverManager.getConnection(url, "sa", "")) {
            try (Statement ddl = connection.createStatement()) {
                if (sqlite) {
                    ddl.execute("pragma journal_mode=wal");
                    ddl.execute("pragma synchronous=" + (store.endsWith("sync") ? "full" : "normal"));
                }
                ddl.execute("create table room (name varchar(32) not null primary key)");
                ddl.execute("""
                        create table message (
                            room varchar(32) not null references room (name), id bigint not null,
                            sender varchar(128) not null, body varchar(1000000) not null,
                            sent_at timestamp with time zone not null, client_id varchar(64),
                            primary key (room, id))""");
                ddl.execute("create unique index message_client_id on message (room, sender, client_id)");
                for (int room = 0; room < ROOMS; room++) {
                    ddl.execute("insert into room (name) values ('room-" + room + "')");
                }
            }
            connection.setAutoCommit(false);
            boolean fsync = store.equals("h2-sync");
            long[] lastIds = new long[ROOMS];
            String text = "x".repeat(80);
            // a first pass warms the JIT; the second is measured
            for (int pass = 0; pass < 2; pass++) {
                long cpu0 = processCpuNanos();
                long wall0 = System.nanoTime();
                long size0 = size(dir);
                try (PreparedStatement insert = connection.prepareStatement(
                        "insert into message (room, id, sender, body, sent_at, client_id) values (?, ?, ?, ?, ?, ?)");
                        Statement checkpoint = connection.createStatement()) {
                    for (int i = 0; i < messages; i++) {
                        int room = i % ROOMS;
                        insert.setString(1, "room-" + room);
                        insert.setLong(2, ++lastIds[room]);
                        insert.setString(3, "sender-" + (i % 50));
                        insert.setString(4, text);
                        insert.setObject(5, OffsetDateTime.now(ZoneOffset.UTC));
                        insert.setString(6, pass + "-" + i);
                        insert.executeUpdate();
                        if ((i + 1) % batch == 0 || i == messages - 1) {
                            connection.commit();
                            if (fsync) {
                                checkpoint.execute("checkpoint sync");
                            }
                        }
                    }
                }
                double seconds = (System.nanoTime() - wall0) / 1e9;
                double cpuMicros = (processCpuNanos() - cpu0) / 1e3 / messages;
                if (pass == 1) {
                    System.out.printf("%-12s batch %4d: %8.0f messages/s, %7.1f us CPU per message, %6.0f bytes of file per message%n",
                            store, batch, messages / seconds, cpuMicros, (size(dir) - size0) / (double) messages);
                }
            }
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    private static long size(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
        }
    }
}
