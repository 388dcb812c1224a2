package dev.parley.cluster;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import dev.parley.core.RoomName;

/**
 * Brings what this instance's subscribers were told about presence in line with Redis
 * ({@link PresenceView}): every presence renewal, and when Redis returns.
 */
final class PresenceReconciler implements Runnable {

    private final PresenceView view;

    private final Sequencer<RoomName> sequencer;

    private final RedisPresenceRegistry registry;

    private final RedisRoomBus bus;

    private final RedisAvailability availability;

    private final Clock clock;

    PresenceReconciler(PresenceView view, Sequencer<RoomName> sequencer, RedisPresenceRegistry registry, RedisRoomBus bus,
            RedisAvailability availability, Clock clock) {
        this.view = view;
        this.sequencer = sequencer;
        this.registry = registry;
        this.bus = bus;
        this.availability = availability;
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
}
