package dev.parley.delivery.tomcat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import jakarta.websocket.Session;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;
import org.apache.tomcat.util.net.SocketProcessorBase;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.apache.tomcat.util.threads.TaskQueue;
import org.apache.tomcat.util.threads.TaskThreadFactory;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.jspecify.annotations.Nullable;

/**
 * Tomcat's executor, which reads and handles a frame of a plain WebSocket connection on Tomcat's
 * poller thread, as an event loop does, instead of handing it to a worker thread.
 * <p>
 * Why: for every frame a client sends, the hand-off woke a worker thread, and the worker woke
 * the poller again to watch the connection for the next frame. On the 2-core VM of
 * {@code docs/performance.md} (session 7) that cost about 120 µs of CPU per frame, a third of the
 * server's CPU when one client posts 1,000 messages a second to a room of ten. Handled on the
 * poller, a frame costs neither wake-up.
 * <p>
 * The price: while the poller handles a frame, it reads no other connection's. So the poller
 * handles a frame only
 * <ul>
 * <li>from a connection whose handling never waits for a client: a plain WebSocket connection
 * that Parley writes to without blocking ({@link #markNonBlocking}, from
 * {@link TomcatFrameWriters}), with no write to it under way;</li>
 * <li>while handling frames takes less than half of its time ({@link PollerLoad});</li>
 * </ul>
 * and the writes of a large broadcast go to the workers ({@link #toWorkers}, which the wiring
 * gives {@link dev.parley.delivery.session.InboundWriteScope}). Everything else (HTTP, SockJS,
 * compressing connections, the handshake) goes to the workers as before. Handling includes
 * storing the message: with a database that is slow to answer, turn
 * {@code chat.transport.read-on-poller} off.
 * <p>
 * Tomcat itself answers a ping with a pong, and a close frame with its own, by a blocking write.
 * A client that pings while its socket buffer is full would hold the poller for as long as
 * Tomcat's blocking send timeout, so that timeout is {@value #CONTROL_FRAME_TIMEOUT_MILLIS} ms
 * while a frame is handled on the poller: such a client is cut off instead.
 * <p>
 * Tomcat's internals this relies on are looked up once; if a Tomcat version lacks one,
 * {@link #available()} is {@code false}, every frame goes to the workers, {@link TomcatFastPaths}
 * says so at start-up, and {@code PollerReadsTests} fails.
 */
public final class PollerReads implements Executor {

    /** A session user property: Parley writes to this session without blocking. */
    private static final String NON_BLOCKING = PollerReads.class.getName() + ".nonBlocking";

    /** Longest Tomcat may block the poller writing a pong or a close frame. */
    static final long CONTROL_FRAME_TIMEOUT_MILLIS = 20;

    /** The executor whose poller is handling a frame on this thread, while it does. */
    private static final ThreadLocal<PollerReads> HANDLING_HERE = new ThreadLocal<>();

    private static final MethodHandle TASK_SOCKET;

    private static final MethodHandle WRITE_OPERATION;

    private static final Class<?> UPGRADE_PROCESSOR;

    private static final MethodHandle UPGRADE_HANDLER;

    private static final Class<?> WEBSOCKET_HANDLER;

    private static final MethodHandle WEBSOCKET_SESSION;

    /** Why a lookup failed, or {@code null} when reading on the poller is possible. */
    private static final @Nullable Throwable FAILURE;

    static {
        MethodHandle taskSocket = null;
        MethodHandle writeOperation = null;
        Class<?> upgradeProcessor = null;
        MethodHandle upgradeHandler = null;
        Class<?> webSocketHandler = null;
        MethodHandle webSocketSession = null;
        Throwable failure = null;
        try {
            ClassLoader loader = PollerReads.class.getClassLoader();
            taskSocket = field(SocketProcessorBase.class, "socketWrapper", SocketWrapperBase.class);
            Class<?> operationState = Class.forName("org.apache.tomcat.util.net.SocketWrapperBase$OperationState",
                    false, loader);
            writeOperation = field(SocketWrapperBase.class, "writeOperation", operationState);
            upgradeProcessor = Class.forName("org.apache.coyote.http11.upgrade.UpgradeProcessorInternal", false,
                    loader);
            upgradeHandler = field(upgradeProcessor, "internalHttpUpgradeHandler",
                    Class.forName("org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler", false, loader));
            webSocketHandler = Class.forName("org.apache.tomcat.websocket.server.WsHttpUpgradeHandler", false,
                    loader);
            webSocketSession = field(webSocketHandler, "wsSession",
                    Class.forName("org.apache.tomcat.websocket.WsSession", false, loader));
        }
        catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
            taskSocket = null;
            failure = ex;
        }
        FAILURE = failure;
        TASK_SOCKET = taskSocket;
        WRITE_OPERATION = writeOperation;
        UPGRADE_PROCESSOR = upgradeProcessor;
        UPGRADE_HANDLER = upgradeHandler;
        WEBSOCKET_HANDLER = webSocketHandler;
        WEBSOCKET_SESSION = webSocketSession;
    }

    private final Executor workers;

    /** Tomcat's poller thread, once it has been seen. */
    private volatile @Nullable Thread poller;

    private final PollerLoad load = new PollerLoad(System.nanoTime());

    PollerReads(Executor workers) {
        this.workers = workers;
    }

    /** Tomcat's worker threads, which take everything not handled on the poller. */
    Executor workers() {
        return this.workers;
    }

    static boolean available() {
        return TASK_SOCKET != null;
    }

    /** Why frames cannot be handled on the poller, or {@code null} if they can. */
    static @Nullable Throwable failure() {
        return FAILURE;
    }

    /** Marks {@code session} as one that Parley writes to without ever blocking. */
    static void markNonBlocking(Session session) {
        session.getUserProperties().put(NON_BLOCKING, Boolean.TRUE);
    }

    /**
     * Sets up {@code connector} to handle frames on its poller, with worker threads as Tomcat
     * would create them from the connector's settings, shut down when the connector is destroyed.
     */
    public static void install(Connector connector) {
        if (!available() || !(connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol)
                || protocol.getExecutor() != null) {
            return;
        }
        // as Tomcat's AbstractEndpoint.createExecutor() does; the protocol's name is quoted for JMX
        String name = protocol.getName().replace("\"", "");
        TaskQueue queue = new TaskQueue(protocol.getMaxQueueSize());
        ThreadPoolExecutor workers = new ThreadPoolExecutor(protocol.getMinSpareThreads(), protocol.getMaxThreads(),
                60, TimeUnit.SECONDS, queue, new TaskThreadFactory(name + "-exec-", true, protocol.getThreadPriority()));
        queue.setParent(workers);
        protocol.setExecutor(new PollerReads(workers));
        // Tomcat shuts down only the executors it created itself
        connector.addLifecycleListener((LifecycleEvent event) -> {
            if (Lifecycle.AFTER_DESTROY_EVENT.equals(event.getType())) {
                workers.shutdown();
            }
        });
    }

    @Override
    public void execute(Runnable task) {
        Map<String, Object> session = (task instanceof SocketProcessorBase<?> processor) ? handledHere(processor) : null;
        long start = (session != null) ? System.nanoTime() : 0;
        if (session == null || !this.load.handleHere(start)) {
            this.workers.execute(task);
            return;
        }
        Object timeout = session.put(TomcatTextFrames.BLOCKING_SEND_TIMEOUT,
                CONTROL_FRAME_TIMEOUT_MILLIS);
        try {
            handleHere(task);
        }
        finally {
            this.load.handled(System.nanoTime() - start);
            if (timeout != null) {
                session.put(TomcatTextFrames.BLOCKING_SEND_TIMEOUT, timeout);
            }
            else {
                session.remove(TomcatTextFrames.BLOCKING_SEND_TIMEOUT);
            }
        }
    }

    /** Runs {@code task}, the handling of a frame, on this thread as the poller. */
    void handleHere(Runnable task) {
        HANDLING_HERE.set(this);
        try {
            task.run();
        }
        finally {
            // kept as null rather than removed: no new thread-local entry for every frame
            HANDLING_HERE.set(null);
        }
    }

    /**
     * Hands {@code task} to the worker threads if this thread is a poller handling a frame, and
     * returns {@code true}; otherwise, or if the workers take nothing more (the server is
     * stopping), returns {@code false}, and the caller runs it.
     */
    public static boolean toWorkers(Runnable task) {
        PollerReads poller = HANDLING_HERE.get();
        if (poller == null) {
            return false;
        }
        try {
            poller.workers.execute(task);
            return true;
        }
        catch (RejectedExecutionException ex) {
            return false;
        }
    }

    /**
     * The user properties of the WebSocket session {@code processor} would handle, if it may be
     * handled on this thread: the poller, not handling another frame, and the session one that
     * Parley writes to without blocking and with no write under way.
     */
    private @Nullable Map<String, Object> handledHere(SocketProcessorBase<?> processor) {
        if (!isPoller(Thread.currentThread()) || HANDLING_HERE.get() != null) {
            return null;
        }
        try {
            SocketWrapperBase<?> socket = (SocketWrapperBase<?>) TASK_SOCKET.invoke(processor);
            if (socket == null || WRITE_OPERATION.invoke(socket) != null) {
                return null;
            }
            Object upgrade = socket.getCurrentProcessor();
            if (!UPGRADE_PROCESSOR.isInstance(upgrade)) {
                return null;
            }
            Object handler = UPGRADE_HANDLER.invoke(upgrade);
            if (!WEBSOCKET_HANDLER.isInstance(handler)) {
                return null;
            }
            Session session = (Session) WEBSOCKET_SESSION.invoke(handler);
            if (session == null) {
                return null;
            }
            Map<String, Object> properties = session.getUserProperties();
            return Boolean.TRUE.equals(properties.get(NON_BLOCKING)) ? properties : null;
        }
        catch (Throwable ex) {
            return null;
        }
    }

    private boolean isPoller(Thread thread) {
        if (thread == this.poller) {
            return true;
        }
        // Tomcat names its one NIO poller thread "<connector name>-Poller"
        if (thread.getName().endsWith("-Poller")) {
            this.poller = thread;
            return true;
        }
        return false;
    }

    private static MethodHandle field(Class<?> owner, String name, Class<?> type) throws ReflectiveOperationException {
        return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findGetter(owner, name, type);
    }
}
