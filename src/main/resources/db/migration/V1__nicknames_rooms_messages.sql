-- Portable SQL: the same migration runs on H2 (default run) and PostgreSQL (cluster run).

create table nickname (
    name_key   varchar(128) not null primary key, -- case-folded: identity ignores case
    name       varchar(128) not null,             -- spelling of the first claim, for display
    token_hash varchar(64)  not null,             -- hex SHA-256 of the token; the token itself is never stored
    claimed_at timestamp with time zone not null
);

create table room (
    name            varchar(32) not null primary key,
    last_id         bigint      not null,         -- id of the room's latest message; ids have no gaps
    last_message_at timestamp with time zone
);

create table message (
    room      varchar(32)      not null references room (name),
    id        bigint           not null,
    sender    varchar(128)     not null,
    body      varchar(1000000) not null,
    sent_at   timestamp with time zone not null,
    client_id varchar(64),
    primary key (room, id)
);

-- a retried send (same sender, room and clientId) is stored once; rows without clientId never clash
create unique index message_client_id on message (room, sender, client_id);
