import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Times the history queries' two orderings on H2 with a large history (docs/performance.md,
 * session 6). Parley's schema (its Flyway migrations), 20 rooms of 50,000 messages, in memory;
 * each query three times, from the repository or from bench/:
 *
 * <pre>
 * java -cp ~/.m2/repository/com/h2database/h2/2.4.240/h2-2.4.240.jar bench/tools/HistoryQueries.java
 * </pre>
 *
 * H2 reads an index in order only when ORDER BY names its leading columns, so "order by id" reads
 * and sorts a room's whole history where "order by room, id" reads the primary key (room, id).
 */
public class HistoryQueries {

    private static final int ROOMS = 20;

    private static final int PER_ROOM = 50_000;

    /** GET /api/rooms: each room's latest message (MessageHistory.ROOMS with the given order). */
    private static String rooms(String order) {
        String latest = "(select m.%s from message m where m.room = r.name order by " + order + " fetch first row only)";
        return "select name, last_id, last_at from (select r.name, " + latest.formatted("id") + " as last_id, "
                + latest.formatted("sent_at") + " as last_at from room r) latest where last_id is not null";
    }

    /** The service's migrations, found from the repository or from bench/. */
    private static Path migrations() {
        for (String candidate : new String[] { "src/main/resources/db/migration", "../src/main/resources/db/migration" }) {
            if (Files.isDirectory(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        throw new IllegalStateException("run from the repository or from bench/: no src/main/resources/db/migration");
    }

    /** V2__name.sql -> 2 */
    private static int version(Path script) {
        String name = script.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.indexOf("__")));
    }

    public static void main(String[] args) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:history;DB_CLOSE_DELAY=-1")) {
            Statement statement = connection.createStatement();
            // the service's own schema: its Flyway migrations, in order
            try (Stream<Path> scripts = Files.list(migrations())) {
                for (Path script : scripts.sorted(Comparator.comparing(HistoryQueries::version)).toList()) {
                    statement.execute("runscript from '" + script.toAbsolutePath() + "'");
                }
            }
            for (int r = 0; r < ROOMS; r++) {
                statement.execute("insert into room values ('r" + r + "')");
            }
            PreparedStatement insert = connection.prepareStatement("insert into message values (?, ?, 'alice', 'hello', current_timestamp, null)");
            for (int id = 1; id <= PER_ROOM; id++) {
                for (int r = 0; r < ROOMS; r++) {
                    insert.setString(1, "r" + r);
                    insert.setLong(2, id);
                    insert.addBatch();
                }
                if (id % 500 == 0) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
            System.out.printf("%d rooms of %d messages%n", ROOMS, PER_ROOM);
            String[][] pairs = {
                { "latest 50", "select * from message where room = 'r3' and id < 9000000 order by id desc limit 50",
                        "select * from message where room = 'r3' and id < 9000000 order by room desc, id desc limit 50" },
                { "50 after an id", "select * from message where room = 'r3' and id > 10 order by id limit 50",
                        "select * from message where room = 'r3' and id > 10 order by room, id limit 50" },
                { "last id", "select id from message where room = 'r3' order by id desc fetch first row only",
                        "select id from message where room = 'r3' order by room desc, id desc fetch first row only" },
                { "rooms' latest", rooms("m.id desc"), rooms("m.room desc, m.id desc") },
            };
            long nextId = PER_ROOM + 1;
            for (String[] pair : pairs) {
                for (int q = 1; q <= 2; q++) {
                    StringBuilder times = new StringBuilder();
                    for (int run = 0; run < 3; run++) {
                        // a new row each time: H2 would otherwise answer from its cache of results
                        statement.execute("insert into message values ('r3', " + nextId++ + ", 'bob', 'x', current_timestamp, null)");
                        long start = System.nanoTime();
                        try (ResultSet rows = statement.executeQuery(pair[q])) {
                            while (rows.next()) {
                                // read every row
                            }
                        }
                        times.append(String.format(" %7.2f", (System.nanoTime() - start) / 1e6));
                    }
                    System.out.printf("%-15s %-18s ms:%s%n", pair[0], (q == 1) ? "order by id" : "order by room, id", times);
                }
            }
        }
    }
}
