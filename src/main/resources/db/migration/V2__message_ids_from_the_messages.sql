-- A room's last id and latest time are read from its latest message (primary key (room, id)):
-- storing a message is one insert, without an update of the room's row in the same transaction.

alter table room drop column last_id;
alter table room drop column last_message_at;
