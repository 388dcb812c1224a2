package dev.parley.delivery.tomcat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import org.apache.catalina.connector.Connector;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketProcessorBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The choices {@link PollerReads} can make without a connection; {@code PollerReadsIntegrationTests} has the rest. */
class PollerReadsTests {

    /** Without them every frame goes to a worker thread: correct, only slower. */
    @Test
    void tomcatsInternalsForHandlingOnThePollerAreAvailable() {
        assertThat(PollerReads.failure()).isNull();
        assertThat(PollerReads.available()).isTrue();
    }

    @Test
    void aConnectorWithoutAnExecutorGetsOneThatReadsOnThePoller() {
        Connector connector = new Connector("HTTP/1.1");

        PollerReads.install(connector);

        assertThat(connector.getProtocolHandler().getExecutor()).isInstanceOf(PollerReads.class);
    }

    /** As with Spring Boot's virtual threads (spring.threads.virtual.enabled), whose executor stays. */
    @Test
    void aConnectorWithAnExecutorOfItsOwnKeepsIt() {
        Connector connector = new Connector("HTTP/1.1");
        Executor own = Runnable::run;
        connector.getProtocolHandler().setExecutor(own);

        PollerReads.install(connector);

        assertThat(connector.getProtocolHandler().getExecutor()).isSameAs(own);
    }

    @Test
    void tasksOtherThanReadingASocketGoToTheWorkers() throws InterruptedException {
        List<Runnable> toWorkers = new ArrayList<>();
        PollerReads executor = new PollerReads(toWorkers::add);
        Runnable task = () -> { };

        onThread("http-nio-8080-Poller", () -> executor.execute(task));

        assertThat(toWorkers).containsExactly(task);
    }

    /** Off the poller, and on it for a socket that is no WebSocket (here none at all). */
    @ParameterizedTest
    @ValueSource(strings = { "http-nio-8080-exec-1", "http-nio-8080-Poller" })
    void socketProcessingWithoutAWebSocketGoesToTheWorkers(String thread) throws InterruptedException {
        List<Runnable> toWorkers = new ArrayList<>();
        PollerReads executor = new PollerReads(toWorkers::add);
        Runnable processing = socketProcessing();

        onThread(thread, () -> executor.execute(processing));

        assertThat(toWorkers).containsExactly(processing);
    }

    /** How InboundWriteScope takes a large broadcast's writes off the poller, and only off it. */
    @Test
    void onlyATaskHandedOffWhileTheHandlingOfAFrameIsUnderWayGoesToTheWorkers() {
        List<Runnable> toWorkers = new ArrayList<>();
        PollerReads executor = new PollerReads(toWorkers::add);
        Runnable writes = () -> { };
        List<Boolean> handedOff = new ArrayList<>();

        executor.handleHere(() -> handedOff.add(PollerReads.toWorkers(writes)));
        handedOff.add(PollerReads.toWorkers(writes));

        assertThat(handedOff).containsExactly(true, false);
        assertThat(toWorkers).containsExactly(writes);
    }

    /** Tomcat's processing of a socket event, here of no socket: run on the spot, it would throw. */
    private static Runnable socketProcessing() {
        return new SocketProcessorBase<Object>(null, SocketEvent.OPEN_READ) {

            @Override
            protected void doRun() {
                throw new AssertionError("run on the calling thread");
            }
        };
    }

    private static void onThread(String name, Runnable action) throws InterruptedException {
        Thread thread = new Thread(action, name);
        thread.start();
        thread.join();
    }
}
