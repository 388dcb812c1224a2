package dev.parley.message;

import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.parley.bus.RoomBus;
import dev.parley.message.MessageHistory.Draft;

import org.springframework.stereotype.Component;

/** Rooms' messages in the group commit: stored in the history, then published on the room bus in id order. */
@Component
class RoomJournal implements GroupCommitter.Journal<Draft, ChatMessage> {

    private static final Logger logger = LoggerFactory.getLogger(RoomJournal.class);

    private final MessageHistory history;

    private final RoomBus bus;

    private final RecentMessages recent;

    RoomJournal(MessageHistory history, RoomBus bus, RecentMessages recent) {
        this.history = history;
        this.bus = bus;
        this.recent = recent;
    }

    @Override
    public List<Optional<ChatMessage>> appendAll(List<Draft> drafts) {
        return this.history.appendAll(drafts);
    }

    /** One message's broadcast failing must not keep the rest of its group from theirs. */
    @Override
    public void publish(ChatMessage message) {
        this.recent.published(message);
        try {
            this.bus.publishInOrder(message.room(), message.id(), message);
        }
        catch (RuntimeException ex) {
            logger.error("Stored message {} of room '{}' could not be broadcast; clients read it from the history",
                    message.id(), message.room(), ex);
        }
    }
}
