package dev.parley.direct;

import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.parley.bus.DirectBus;
import dev.parley.direct.DirectHistory.Draft;
import dev.parley.message.GroupCommitter;

import org.springframework.stereotype.Component;

/**
 * Direct messages in the group commit: stored in their conversations, then published to both
 * parties in id order, so that the echo means stored, as in a room.
 */
@Component
class DirectJournal implements GroupCommitter.Journal<Draft, DirectMessage> {

    private static final Logger logger = LoggerFactory.getLogger(DirectJournal.class);

    private final DirectHistory history;

    private final DirectBus bus;

    DirectJournal(DirectHistory history, DirectBus bus) {
        this.history = history;
        this.bus = bus;
    }

    @Override
    public List<Optional<DirectMessage>> appendAll(List<Draft> drafts) {
        return this.history.appendAll(drafts);
    }

    /** One message's delivery failing must not keep the rest of its group from theirs. */
    @Override
    public void publish(DirectMessage message) {
        try {
            this.bus.publishInOrder(message.conversation(), message.id(), message);
        }
        catch (RuntimeException ex) {
            logger.error("Stored direct message {} of {} could not be delivered; the parties read it from the history",
                    message.id(), message.conversation(), ex);
        }
    }
}
