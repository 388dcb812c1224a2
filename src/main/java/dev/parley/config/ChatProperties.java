package dev.parley.config;

import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every limit of the wire contract, under {@code chat.*}. The README's configuration table
 * documents each property; the defaults here are the contract's.
 *
 * @param message what a chat message may be
 * @param rateLimit how fast one nickname may post and type
 * @param history REST paging of message history
 * @param transport WebSocket, SockJS and STOMP transport limits
 * @param store when a stored message counts as stored
 * @param cluster how instances of the {@code cluster} profile share rooms through Redis
 * @param limits what one client may make the server hold (contract section 6a)
 * @param rooms REST paging of the room list
 * @param memory how the JVM gives back memory it no longer uses
 */
@Validated
@ConfigurationProperties("chat")
public record ChatProperties(
        @Valid @NotNull @DefaultValue Message message,
        @Valid @NotNull @DefaultValue RateLimit rateLimit,
        @Valid @NotNull @DefaultValue History history,
        @Valid @NotNull @DefaultValue Transport transport,
        @Valid @NotNull @DefaultValue Store store,
        @Valid @NotNull @DefaultValue Cluster cluster,
        @Valid @NotNull @DefaultValue Limits limits,
        @Valid @NotNull @DefaultValue Rooms rooms,
        @Valid @NotNull @DefaultValue Memory memory) {

    /**
     * A burst of connections (a deploy, a reconnect storm) makes the JVM commit far more heap
     * than the connections keep, and with its defaults G1 keeps up to 70 % of its heap free after
     * a collection. Parley lowers that when the JVM runs G1 and the flags were not given on the
     * command line, so that an idle server returns what the burst took. Flags given on the
     * command line always win.
     *
     * @param returnFreeHeap set G1's {@code MinHeapFreeRatio} and {@code MaxHeapFreeRatio} to
     * the two ratios below (JVM defaults 40 and 70), and its {@code G1PeriodicGCInterval} to
     * {@code periodicCollection}
     * @param minHeapFreeRatio least share of the heap, in percent, left free after a
     * collection before the heap grows
     * @param maxHeapFreeRatio most share of the heap, in percent, left free after a collection
     * before the heap shrinks and the memory goes back to the operating system
     * @param periodicCollection a concurrent collection, which may shrink the heap, after this
     * long without any ({@code 0s}: none)
     */
    public record Memory(
            @DefaultValue("true") boolean returnFreeHeap,
            @Min(0) @Max(100) @DefaultValue("10") int minHeapFreeRatio,
            @Min(0) @Max(100) @DefaultValue("10") int maxHeapFreeRatio,
            @NotNull @DefaultValue("5m") Duration periodicCollection) {

        public Memory {
            if (minHeapFreeRatio > maxHeapFreeRatio) {
                throw new IllegalArgumentException("chat.memory.min-heap-free-ratio (" + minHeapFreeRatio
                        + ") must not exceed chat.memory.max-heap-free-ratio (" + maxHeapFreeRatio + ")");
            }
        }
    }

    /**
     * Bounds on what one client can make the server hold, so that one script cannot squat every
     * nickname, fill the database or grow the server's memory without bound.
     *
     * @param claimBurst nickname claims one client address may make at once
     * @param claimsPerHour nickname claims one client address may make per hour, the burst
     * included; beyond either, {@code 429} with {@code Retry-After}
     * @param roomsPerConnection rooms one connection may be in; a further join gets
     * {@code LIMIT_EXCEEDED} and the connection stays open
     * @param subscriptionsPerConnection subscriptions one connection may hold; a further
     * {@code SUBSCRIBE} gets an {@code ERROR} frame and the connection is closed
     * @param connectionsPerNickname connections one nickname may hold at once; a further
     * {@code CONNECT} gets the {@code ERROR} frame {@code too many connections} and is closed
     * @param connectTimeout how long a WebSocket or SockJS session may go without completing
     * {@code CONNECT} before it is closed
     */
    public record Limits(
            @Min(1) @DefaultValue("5") int claimBurst,
            @Min(1) @DefaultValue("20") int claimsPerHour,
            @Min(1) @DefaultValue("100") int roomsPerConnection,
            @Min(1) @DefaultValue("256") int subscriptionsPerConnection,
            @Min(1) @DefaultValue("20") int connectionsPerNickname,
            @NotNull @DefaultValue("10s") Duration connectTimeout) {
    }

    /**
     * @param defaultLimit rooms per page of {@code GET /api/rooms} when a request names no
     * {@code limit}
     * @param maxLimit the largest {@code limit} that request may name
     */
    public record Rooms(
            @Min(1) @DefaultValue("100") int defaultLimit,
            @Min(1) @DefaultValue("200") int maxLimit) {
    }

    /**
     * The {@code cluster} profile: instances on one PostgreSQL database exchange room events over
     * Redis. Ignored by the default run.
     *
     * @param keyPrefix the start of every Redis key and channel name, so that two deployments can
     * share one Redis
     * @param reorderBound how long an instance holds a room's message whose predecessor has not
     * arrived from the other instances before it reads the missing ones from the database
     * @param presenceTtl how long a connection stays online in Redis without its instance
     * renewing it (every third of this): the others drop the users of an instance that died
     * within about 1.3 times this
     * @param catchUpInterval how often an instance compares each room its clients follow with
     * the store and delivers what Redis did not bring (after an outage of Redis, say): one
     * primary-key lookup per followed room each time
     */
    public record Cluster(
            @NotNull @DefaultValue("parley") String keyPrefix,
            @NotNull @DefaultValue("200ms") Duration reorderBound,
            @NotNull @DefaultValue("15s") Duration presenceTtl,
            @NotNull @DefaultValue("2s") Duration catchUpInterval) {
    }

    /**
     * What the echo of a message (and a granted claim) promises. Without {@code fsync}, every
     * commit is in the operating system's hands before the echo: it survives the death of the
     * process ({@code kill -9}, out of memory), not the loss of power of the machine. With it,
     * each commit is forced to the disk first. Messages waiting together are committed together,
     * so the cost is one write, and with {@code fsync} one flush, per group.
     *
     * @param fsync force every commit to the disk before the echo (SQLite {@code synchronous=FULL})
     * @param maxPending most messages accepted but not yet stored; beyond it a send is refused
     * with {@code INTERNAL_ERROR} and nothing is stored
     * @param checkpointInterval how often the embedded store's write-ahead log is copied into its
     * database file, on a thread of its own ({@code 0s}: by SQLite, on a committing connection,
     * every 1,000 pages); PostgreSQL is not affected
     */
    public record Store(
            @DefaultValue("false") boolean fsync,
            @Min(1) @DefaultValue("10000") int maxPending,
            @NotNull @DefaultValue("1s") Duration checkpointInterval) {
    }

    /**
     * @param maxLength most code points in a message after stripping surrounding whitespace
     */
    public record Message(@Min(1) @Max(60_000) @DefaultValue("2000") int maxLength) {
    }

    /**
     * Token buckets per nickname, shared by all its connections and rooms.
     *
     * @param burst sends allowed at once after a quiet period
     * @param perSecond sends refilled per second
     * @param typingPerSecond typing events per second; the excess is dropped without an error
     */
    public record RateLimit(
            @Min(1) @DefaultValue("10") int burst,
            @Min(1) @DefaultValue("5") int perSecond,
            @Min(1) @DefaultValue("2") int typingPerSecond) {
    }

    /**
     * @param defaultLimit page size when a request names no {@code limit}
     * @param maxLimit the largest {@code limit} a request may name
     * @param recentMemory heap for the latest messages of the rooms in use (up to 64 each), which
     * answer catch-ups without reading the store; past it the rooms least likely to be asked for again are
     * dropped, and {@code 0} turns it off. Only with the embedded store: in a cluster every
     * catch-up reads the shared database
     */
    public record History(
            @Min(1) @DefaultValue("50") int defaultLimit,
            @Min(1) @DefaultValue("200") int maxLimit,
            @NotNull @DefaultValue("8MB") DataSize recentMemory) {
    }

    /**
     * @param messageSizeLimit largest inbound STOMP frame; a larger one closes the connection
     * @param sendBufferSizeLimit outbound bytes buffered for one slow client before it is cut off
     * @param sendTimeLimit longest one send to a client may block before the client is cut off
     * @param heartbeat STOMP heart-beat interval offered by the server, both directions
     * @param disconnectDelay how long a SockJS session without a live HTTP request survives
     * @param streamingProbe how long an xhr-streaming response may go without a write before the
     * server writes a heart-beat to learn whether the client is still there: a client that
     * closed its connection is noticed at the second such write, within about twice this
     * @param allowedOriginPatterns browser origins allowed besides the service's own
     * @param writerThreads threads making blocking writes to clients: SockJS, and WebSocket when
     * a non-blocking write cannot be tried (default: the number of processors);
     * more are added while slow clients hold them
     * @param perMessageDeflate whether WebSocket connections may compress their frames
     * ({@code permessage-deflate}) when the client offers it; every browser does, and each such
     * connection held 74-104 KB more of the server's memory (docs/performance.md)
     * @param readOnPoller whether a frame from a plain WebSocket connection is read and handled
     * on Tomcat's poller thread rather than handed to a worker thread: less CPU per frame, but
     * one frame handled at a time; turn it off when handling a message may wait, e.g. on a
     * database over the network
     */
    public record Transport(
            @NotNull @DefaultValue("64KB") DataSize messageSizeLimit,
            @NotNull @DefaultValue("512KB") DataSize sendBufferSizeLimit,
            @NotNull @DefaultValue("10s") Duration sendTimeLimit,
            @NotNull @DefaultValue("10s") Duration heartbeat,
            @NotNull @DefaultValue("5s") Duration disconnectDelay,
            @NotNull @DefaultValue("1500ms") Duration streamingProbe,
            @NotNull @DefaultValue List<String> allowedOriginPatterns,
            @Min(1) @Nullable Integer writerThreads,
            @DefaultValue("false") boolean perMessageDeflate,
            @DefaultValue("true") boolean readOnPoller) {

        /** {@link #writerThreads()}, or the number of processors if it is not set. */
        public int writerThreadsOrDefault() {
            return (this.writerThreads != null) ? this.writerThreads : Runtime.getRuntime().availableProcessors();
        }
    }
}
