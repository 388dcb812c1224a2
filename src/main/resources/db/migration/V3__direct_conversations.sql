-- Private conversations (contract section 10). Portable SQL, like V1 and V2.

-- A REST request for private data names no nickname, only its Bearer token: found by the
-- token's hash, which V1 already stores (hex SHA-256), so every claim made before this works too.
create index nickname_token_hash on nickname (token_hash);

-- One row per pair of nicknames that ever exchanged a message, the pair in the order of their
-- case-folded keys, so that either party names the same conversation.
create table conversation (
    low_key    varchar(128) not null,
    high_key   varchar(128) not null,
    low_name   varchar(128) not null,            -- spellings of the first claims, for display
    high_name  varchar(128) not null,
    last_id    bigint       not null,            -- id of the latest message; ids have no gaps
    last_at_ms bigint       not null,            -- when it was sent (epoch ms): compared and sorted as a number on both databases
    primary key (low_key, high_key)
);

-- a nickname's conversations, by either place in the pair, the latest found without a scan
create index conversation_low on conversation (low_key, last_at_ms);
create index conversation_high on conversation (high_key, last_at_ms);

create table direct_message (
    low_key    varchar(128)     not null,
    high_key   varchar(128)     not null,
    id         bigint           not null,
    sender_key varchar(128)     not null,        -- low_key or high_key
    body       varchar(1000000) not null,
    sent_at    timestamp with time zone not null,
    client_id  varchar(64),
    primary key (low_key, high_key, id),
    foreign key (low_key, high_key) references conversation (low_key, high_key)
);

-- a retried send (same sender, conversation and clientId) is stored once
create unique index direct_message_client_id on direct_message (low_key, high_key, sender_key, client_id);
