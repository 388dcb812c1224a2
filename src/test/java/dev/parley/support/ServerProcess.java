package dev.parley.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parley's own jar ({@code target/parley-*.jar}, which {@code mvn verify} builds before the
 * integration tests) running in a process of its own, on a random port with a database of its
 * own: for what a test must see of the server alone, such as its heap after a full GC,
 * which the test's own clients would blur in a shared JVM. Read with the JDK's {@code jcmd}.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern STARTED = Pattern.compile("Tomcat started on port (\\d+)");

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    /**
     * What every instance runs with unless the arguments say otherwise: a database of its own;
     * the nickname claims per address lifted, as the tests claim many from 127.0.0.1 (the
     * in-process tests' src/test/resources/application.properties does the same); and the
     * metrics and health components the tests read served on the one port, which the default
     * configuration keeps to a management port.
     */
    private static final List<String> DEFAULT_ARGUMENTS = List.of(
            "--spring.datasource.url=jdbc:sqlite:target/test-db/parley-${random.uuid}.db",
            "--chat.limits.claim-burst=1000000", "--chat.limits.claims-per-hour=1000000",
            "--management.endpoints.web.exposure.include=health,metrics",
            "--management.endpoint.health.show-components=always");

    private final Process process;

    private final int port;

    /** The services this instance alone uses, dropped when it closes; null when there are none. */
    private ClusterServices ownServices;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The jar {@code mvn package} built, if there is one (not when tests run before packaging). */
    public static Optional<Path> jar() {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(file -> file.getFileName().toString().matches("parley-.*\\.jar")).findFirst();
        }
        catch (IOException ex) {
            return Optional.empty();
        }
    }

    /**
     * Starts {@code jar} with the given extra arguments and waits until it serves; on a database
     * of its own unless the arguments name one ({@code --spring.datasource.url=...}), and with
     * the other {@link #DEFAULT_ARGUMENTS} the arguments do not name.
     */
    public static ServerProcess start(Path jar, String... arguments) {
        List<String> command = new ArrayList<>(List.of(javaTool("java"), "-jar", jar.toString(), "--server.port=0"));
        for (String fallback : DEFAULT_ARGUMENTS) {
            String name = fallback.substring(0, fallback.indexOf('=') + 1);
            // a property named twice on the command line would be both values, comma-separated
            if (Stream.of(arguments).noneMatch(argument -> argument.startsWith(name))) {
                command.add(fallback);
            }
        }
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            CompletableFuture<Integer> port = new CompletableFuture<>();
            Thread reader = new Thread(() -> readLog(process, port), "server-log");
            reader.setDaemon(true);
            reader.start();
            try {
                return new ServerProcess(process, port.get(60, TimeUnit.SECONDS));
            }
            catch (Exception ex) {
                process.destroyForcibly();
                throw new IllegalStateException("the server did not start", ex);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Starts {@code jar} as {@link #start} does, in the profile the integration tests run in
     * ({@link IntegrationProfile}): in the {@code cluster} profile, on {@link ClusterServices} of
     * its own, which {@link #close()} drops after stopping it.
     */
    public static ServerProcess startInIntegrationProfile(Path jar, String... arguments) {
        if (!IntegrationProfile.cluster()) {
            return start(jar, arguments);
        }
        ClusterServices services = new ClusterServices();
        try {
            ServerProcess server = services.startInstance(arguments);
            server.ownServices = services;
            return server;
        }
        catch (RuntimeException | Error ex) {
            services.close();
            throw ex;
        }
    }

    private static void readLog(Process process, CompletableFuture<Integer> port) {
        try (BufferedReader log = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = log.readLine()) != null) {
                Matcher started = STARTED.matcher(line);
                if (started.find()) {
                    port.complete(Integer.parseInt(started.group(1)));
                }
                if (line.contains(" WARN ") || line.contains(" ERROR ")) {
                    System.out.println("[server] " + line);
                }
            }
        }
        catch (IOException ex) {
            // the process ended
        }
        port.completeExceptionally(new IllegalStateException("the server's log ended before it started"));
    }

    public int port() {
        return this.port;
    }

    /** The server's heap in use right after a full GC, in bytes. */
    public long heapAfterGc() {
        jcmd("GC.run");
        Matcher used = HEAP_USED.matcher(jcmd("GC.heap_info"));
        assertThat(used.find()).as("jcmd GC.heap_info names the heap used").isTrue();
        return Long.parseLong(used.group(1)) * 1024;
    }

    /** Live instances, after a full GC, of the classes whose name ends with {@code suffix}. */
    public long liveInstances(String suffix) {
        long count = 0;
        for (String line : jcmd("GC.class_histogram").lines().toList()) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 4 && fields[0].endsWith(":") && fields[3].endsWith(suffix)) {
                count += Long.parseLong(fields[1]);
            }
        }
        return count;
    }

    private String jcmd(String command) {
        try {
            Process jcmd = new ProcessBuilder(javaTool("jcmd"), Long.toString(this.process.pid()), command)
                .redirectErrorStream(true)
                .start();
            String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(jcmd.waitFor(30, TimeUnit.SECONDS)).as("jcmd %s", command).isTrue();
            assertThat(jcmd.exitValue()).as("jcmd %s: %s", command, output).isZero();
            return output;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static String javaTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    /** Ends the process at once with SIGKILL, as the kernel's out-of-memory killer would. */
    public void kill() {
        this.process.destroyForcibly();
        try {
            assertThat(this.process.waitFor(30, TimeUnit.SECONDS)).as("the server died").isTrue();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close() {
        this.process.destroy();
        try {
            if (!this.process.waitFor(Duration.ofSeconds(10).toSeconds(), TimeUnit.SECONDS)) {
                this.process.destroyForcibly();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            this.process.destroyForcibly();
        }
        // taken first: closing the services closes their instances, this one again
        ClusterServices services = this.ownServices;
        this.ownServices = null;
        if (services != null) {
            services.close();
        }
    }
}
