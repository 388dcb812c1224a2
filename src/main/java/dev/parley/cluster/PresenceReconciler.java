package dev.parley.cluster;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

import org.slf4j.LoggerFactory;

import dev.parley.core.RoomName;

/**
 * Brings what this instance's subscribers were told about presence in line with Redis
 * ({@link PresenceView}): every presence renewal, when Redis returns, and at once when a room is
 * first followed, so that the room's view begins before the events it must keep from repeating.
 */
final class PresenceReconciler implements Runnable {

    private final PresenceView view;

    private final RoomSequencer sequencer;

    private final RedisPresenceRegistry registry;

    private final RedisRoomBus bus;

    private final RedisAvailability availability;

    private final ScheduledExecutorService timer;

    private final Clock clock;

    PresenceReconciler(PresenceView view, RoomSequencer sequencer, RedisPresenceRegistry registry, RedisRoomBus bus,
            RedisAvailability availability, ScheduledExecutorService timer, Clock clock) {
        this.view = view;
        this.sequencer = sequencer;
        this.registry = registry;
        this.bus = bus;
        this.availability = availability;
        this.timer = timer;
        this.clock = clock;
    }

    @Override
    public void run() {
        if (!this.availability.isUp()) {
            return;
        }
        List<RoomName> followed = this.sequencer.followed();
        if (followed.isEmpty()) {
            return;
        }
        Instant at = this.clock.instant();
        try {
            this.view.reconcile(followed, this.registry::online).forEach(change -> this.bus.tellMissed(change, at));
        }
        catch (RuntimeException ex) {
            this.availability.failed(ex);
        }
    }

    /** On the presence timer, as soon as it is free. */
    void soon() {
        try {
            this.timer.execute(this);
        }
        catch (RuntimeException ex) {
            LoggerFactory.getLogger(PresenceReconciler.class).debug("Not compared: {}", ex.toString());
        }
    }
}
