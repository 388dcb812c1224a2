package dev.parley.delivery.tomcat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Says at start-up, with one WARN each, which of the delivery engine's fast paths into Tomcat's
 * internals are off. Each is looked up once, by reflection, in the Tomcat on the classpath; a
 * Tomcat that renamed what it relies on makes Parley fall back to Tomcat's public API: correct,
 * slower, and otherwise silent. The tests next to each ({@code TomcatTextFramesTests},
 * {@code TomcatSocketWritesTests}, {@code PollerReadsTests}) fail under such a Tomcat as well.
 */
public final class TomcatFastPaths implements SmartInitializingSingleton {

    private static final Log logger = LogFactory.getLog(TomcatFastPaths.class);

    /**
     * One fast path.
     *
     * @param name what it is
     * @param failure why it is off, or {@code null} when it is on
     * @param without what Parley does without it
     */
    record FastPath(String name, Supplier<@Nullable Throwable> failure, String without) {
    }

    private final List<FastPath> fastPaths;

    TomcatFastPaths(List<FastPath> fastPaths) {
        this.fastPaths = fastPaths;
    }

    /** Parley's fast paths; reading on the poller only when {@code chat.transport.read-on-poller} is on. */
    public static TomcatFastPaths of(boolean readOnPoller) {
        List<FastPath> fastPaths = new ArrayList<>();
        fastPaths.add(new FastPath("Tomcat's write of text already in UTF-8 (WsRemoteEndpointImplBase.sendMessageBlock)",
                TomcatTextFrames::failure,
                "text frames go through Tomcat's public API, which encodes every message again"));
        fastPaths.add(new FastPath("non-blocking writes to a WebSocket's socket (WsRemoteEndpointImplServer.socketWrapper)",
                TomcatSocketWrites::failure, "every write to a WebSocket client blocks a writer thread"));
        if (readOnPoller) {
            fastPaths.add(new FastPath("handling WebSocket frames on Tomcat's poller (chat.transport.read-on-poller)",
                    PollerReads::failure, "every frame is handed to a worker thread"));
        }
        return new TomcatFastPaths(fastPaths);
    }

    /** The fast paths that are off, each with why and what Parley does instead. */
    List<String> off() {
        List<String> off = new ArrayList<>();
        for (FastPath fastPath : this.fastPaths) {
            Throwable failure = fastPath.failure().get();
            if (failure != null) {
                off.add("Fast path off: " + fastPath.name() + ", not found in this Tomcat (" + failure
                        + "); instead " + fastPath.without() + ": correct, but slower");
            }
        }
        return off;
    }

    @Override
    public void afterSingletonsInstantiated() {
        off().forEach(logger::warn);
    }
}
