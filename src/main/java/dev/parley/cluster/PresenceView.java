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

import org.jspecify.annotations.Nullable;

import dev.parley.core.Nickname;
import dev.parley.core.RoomName;
import dev.parley.presence.PresenceRegistry.PresenceChange;

/**
 * Who this instance's subscribers of each room have been told is online: the JOINs and LEAVEs
 * delivered here, whichever instance announced them. Redis pub/sub delivers at most once, and an
 * instance whose subscription is reconnecting (Redis restarted) misses what was published
 * meanwhile; so every presence renewal {@link #reconcile compares} this view with Redis and
 * tells the subscribers a difference that it found at two comparisons in a row (one found once
 * may be an event on its way). An event that would tell them what they were told already (a
 * JOIN announced again after Redis lost its presence) is not delivered.
 * <p>
 * A room's view begins when the room is followed ({@link #begin}), before any subscriber here
 * joins it and reads the list, with the list as Redis has it then (a client reads the list when
 * it joins, and is told only changes). While Redis cannot be read, every event but a repeat is
 * delivered until the first comparison, which adopts the list with what was told here laid over
 * it. Nicknames adopted from a list and not told here are taken on trust until the next
 * comparison: a JOIN of one of them may be on its way, and is delivered.
 */
final class PresenceView {

    private final Map<RoomName, Room> rooms = new ConcurrentHashMap<>();

    /**
     * Begins the view of a room just followed, before any subscriber here joined it: with the
     * room's list as Redis has it now, or, while Redis cannot be read ({@code null}), with the
     * first comparison's.
     */
    void begin(RoomName room, @Nullable Set<Nickname> online) {
        Room view = new Room();
        if (online != null) {
            view.adopt(online);
        }
        this.rooms.putIfAbsent(room, view);
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

        /** Told online (or adopted as online). */
        private final Set<Nickname> told = new HashSet<>();

        /** Adopted at the last comparison, not told: a JOIN of one of them is still delivered. */
        private final Set<Nickname> onTrust = new HashSet<>();

        /**
         * What was told of each nickname before the view adopted a list: a repeat is not told
         * again, and none of them is taken on trust.
         */
        private final Map<Nickname, Boolean> heard = new HashMap<>();

        /** Differences found at the last comparison: told if the next finds them again. */
        private final Set<Nickname> differing = new HashSet<>();

        private boolean adopted;

        /** Events told since the view began: a comparison with a list read before one is stale. */
        private long version;

        synchronized long version() {
            return this.version;
        }

        synchronized boolean tell(Nickname user, boolean online) {
            this.version++;
            this.differing.remove(user);
            boolean trusted = this.onTrust.remove(user);
            boolean changed = online ? this.told.add(user) : this.told.remove(user);
            if (!this.adopted) {
                return !Boolean.valueOf(online).equals(this.heard.put(user, online));
            }
            return changed || (online && trusted);
        }

        /**
         * What the subscribers believe: the list as it is, but what they were told here (Redis
         * may be rebuilding it, after a restart).
         */
        synchronized void adopt(Set<Nickname> online) {
            this.told.clear();
            this.told.addAll(online);
            this.heard.forEach((user, isOnline) -> {
                if (isOnline) {
                    this.told.add(user);
                }
                else {
                    this.told.remove(user);
                }
            });
            this.onTrust.addAll(online);
            this.onTrust.removeAll(this.heard.keySet());
            this.heard.clear();
            this.adopted = true;
        }

        synchronized void reconcile(Set<Nickname> online, long versionRead, RoomName room,
                List<PresenceChange> changes) {
            if (this.version != versionRead) {
                return; // told something while the list was read: compare next time
            }
            if (!this.adopted) {
                adopt(online);
                return;
            }
            this.onTrust.clear();
            Set<Nickname> differing = new HashSet<>();
            for (Nickname user : online) {
                if (!this.told.contains(user)) {
                    differing.add(user);
                }
            }
            for (Nickname user : this.told) {
                if (!online.contains(user)) {
                    differing.add(user);
                }
            }
            for (Nickname user : differing) {
                if (this.differing.contains(user)) {
                    boolean cameOnline = this.told.add(user);
                    if (!cameOnline) {
                        this.told.remove(user);
                    }
                    changes.add(new PresenceChange(room, user, cameOnline, online.size()));
                }
            }
            this.differing.clear();
            for (Nickname user : differing) {
                if (changes.stream().noneMatch(change -> change.room().equals(room) && change.nickname().equals(user))) {
                    this.differing.add(user);
                }
            }
        }
    }
}
