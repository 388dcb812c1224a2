package dev.parley.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The server's TCP connections as Linux lists them in {@code /proc/net/tcp} and {@code tcp6}:
 * what a test checks to prove the server released a client's socket.
 */
public final class ServerSockets {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    /** The kernel's code for a connection the peer closed and this side has not: CLOSE_WAIT. */
    private static final String CLOSE_WAIT = "08";

    private ServerSockets() {
    }

    /** Whether this machine lists its connections where {@link #closeWait} reads them. */
    public static boolean available() {
        return TABLES.stream().anyMatch(Files::isReadable);
    }

    /**
     * Connections on local {@code port} that the client has closed and the server still holds
     * (CLOSE_WAIT): a socket the server has not noticed to be finished.
     */
    public static long closeWait(int port) {
        String localPort = ":" + String.format(Locale.ROOT, "%04X", port);
        long count = 0;
        for (Path table : TABLES) {
            if (!Files.isReadable(table)) {
                continue;
            }
            try {
                for (String line : Files.readAllLines(table)) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 3 && fields[1].endsWith(localPort) && CLOSE_WAIT.equals(fields[3])) {
                        count++;
                    }
                }
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return count;
    }
}
