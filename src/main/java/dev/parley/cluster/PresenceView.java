package dev.parley.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.parley.core.Nickname;
import dev.parley.core.RoomName;
import dev.parley.presence.PresenceRegistry.PresenceChange;

/**
 * Who this instance's subscribers of each room have been told is online: the JOINs and LEAVEs
 * delivered here, whichever instance announced them. Redis pub/sub delivers at most once, and an
 * instance whose subscription is reconnecting (Redis restarted) misses what was published
 * meanwhile; so every presence renewal {@link #reconcile compares} this view with Redis and
 * tells the subscribers the difference. An event that would tell them what they were told
 * already (a JOIN announced again after Redis lost its presence, or one a comparison told first)
 * is not delivered.
 * <p>
 * A room's view begins when the room is first followed ({@link #begin}); the first comparison
 * with a list read after that, while no event was told, adopts the list as it is (a client reads
 * the list when it joins, and is told only changes). Until then every event is told.
 */
final class PresenceView {

    private final Map<RoomName, Room> rooms = new ConcurrentHashMap<>();

    /**
     * Begins the view of a room just followed: its first comparison with a list read after this,
     * and before any event was told, adopts that list.
     */
    void begin(RoomName room) {
        this.rooms.putIfAbsent(room, new Room());
    }

    /** Forgets a room this instance no longer follows. */
    void forget(RoomName room) {
        this.rooms.remove(room);
    }

    /** Records a JOIN ({@code online}) or LEAVE about to be delivered here; {@code false}: do not deliver it. */
    boolean tell(RoomName room, Nickname user, boolean online) {
        Room view = this.rooms.get(room);
        return (view == null) || view.tell(user, online);
    }

    /**
     * Compares the view of each room with the nicknames online in it now, and returns what its
     * subscribers must be told to agree with that, recording it as told.
     *
     * @param followed the rooms this instance delivers
     * @param online the nicknames online in each of the given rooms, read from Redis
     */
    List<PresenceChange> reconcile(Collection<RoomName> followed,
            Function<Collection<RoomName>, Map<RoomName, Set<Nickname>>> online) {
        Map<RoomName, Long> versions = new HashMap<>();
        for (RoomName room : followed) {
            versions.put(room, this.rooms.computeIfAbsent(room, name -> new Room()).version());
        }
        Map<RoomName, Set<Nickname>> shared = online.apply(followed);
        List<PresenceChange> changes = new ArrayList<>();
        for (RoomName room : followed) {
            Room view = this.rooms.get(room);
            if (view != null) {
                view.reconcile(shared.getOrDefault(room, Set.of()), versions.get(room), room, changes);
            }
        }
        return changes;
    }

    private static final class Room {

        private final Set<Nickname> told = new HashSet<>();

        /** Whether a list from Redis was adopted: until then every event is told. */
        private boolean adopted;

        /** Events told since the view began: a comparison with a list read before one is stale. */
        private long version;

        synchronized long version() {
            return this.version;
        }

        synchronized boolean tell(Nickname user, boolean online) {
            boolean changed = online ? this.told.add(user) : this.told.remove(user);
            if (!this.adopted) {
                this.version++;
                return true;
            }
            if (changed) {
                this.version++;
            }
            return changed;
        }

        synchronized void reconcile(Set<Nickname> online, long versionRead, RoomName room,
                List<PresenceChange> changes) {
            if (this.version != versionRead) {
                return; // told something while the list was read: compare next time
            }
            if (!this.adopted) {
                this.told.clear();
                this.told.addAll(online);
                this.adopted = true;
                return;
            }
            int before = changes.size();
            for (Nickname user : online) {
                if (this.told.add(user)) {
                    changes.add(new PresenceChange(room, user, true, online.size()));
                }
            }
            for (Nickname user : new ArrayList<>(this.told)) {
                if (!online.contains(user)) {
                    this.told.remove(user);
                    changes.add(new PresenceChange(room, user, false, online.size()));
                }
            }
            if (changes.size() > before) {
                this.version++;
            }
        }
    }
}
