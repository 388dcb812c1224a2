import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Times the history queries' two orderings on H2 with a large history (docs/performance.md,
 * session 6). Parley's schema, 20 rooms of 50,000 messages, in memory; each query three times:
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

    public static void main(String[] args) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:history;DB_CLOSE_DELAY=-1")) {
            Statement statement = connection.createStatement();
            statement.execute("create table room (name varchar(32) not null primary key)");
            statement.execute("create table message (room varchar(32) not null references room (name), id bigint not null, "
                    + "sender varchar(128) not null, body varchar(1000000) not null, sent_at timestamp with time zone not null, "
                    + "client_id varchar(64), primary key (room, id))");
            statement.execute("create unique index message_client_id on message (room, sender, client_id)");
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
