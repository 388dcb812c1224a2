// The rooms this tab is in and its private conversations (contract section 10): their messages
// (merged by id), catch-up after a reconnect and on a gap (contract section 8), the online list,
// typing, unread counts, and the outbox of our own messages until their echo arrives. A
// conversation is a Room of kind 'direct': only where they differ (destinations, history, no
// join and no online list) does the code ask which kind it has.

import {
    ApiError, CATCH_UP_PAGE_SIZE, PAGE_SIZE, fetchDirectMessages, fetchMessages, listConversations,
} from './api.js';
import { RoomDirectory } from './directory.js';
import { $, announce, el, setText } from './dom.js';
import {
    eventElement, insertMessage, isNearBottom, messageElement, pendingElement, regroup, renderConversations, renderJoinedRooms, renderUsers,
    typingText, updatePendingElement,
} from './render.js';
import { foldName, newClientId, sameName } from './rules.js';
import * as store from './store.js';

const TYPING_SHOWN_MS = 6_000;        // show "x is typing" at most this long after typing:true
const TYPING_REFRESH_MS = 3_000;      // while typing, repeat typing:true this often
const TYPING_IDLE_MS = 3_000;         // no keystroke for this long: typing:false
const TYPING_MIN_GAP_MS = 600;        // never two typing events closer than this (server: 2/s)
const SEND_BURST = 8;                 // client-side pacing, below the server's 10 burst / 5 per s
const SEND_PER_SECOND = 4;
const RETRY_MS = 5_000;               // a failed history request is tried again after this
const ANNOUNCE_MAX_CHARS = 200;
const ANNOUNCE_MAX_MESSAGES = 3;
const ERROR_TEXT = {
    RATE_LIMITED: 'Not sent: you are sending too fast. Wait a moment, then retry.',
    INTERNAL_ERROR: 'Not sent: the server could not store it. Retry in a moment.',
    UNKNOWN_USER: 'Not sent: nobody has claimed this nickname.',
};
const DIRECT_QUEUE = '/user/queue/direct';
const ROOM_DESTINATION = /^\/app\/room\.([^.]+)\.(join|leave|send|typing)$/;
// a nickname has no dot, but it may be any letter: take everything up to the operation
const DIRECT_DESTINATION = /^\/app\/direct\.(.+)\.(send|typing)$/;

/** A direct message as the room code reads it: the sender is `from`. */
function asMessage(direct) {
    return { ...direct, sender: direct.from };
}

class Room {
    /** kind 'room' (name: the room) or 'direct' (name: the other party, as the server spells it). */
    constructor(name, kind = 'room') {
        this.name = name;
        this.kind = kind;
        this.key = kind === 'room' ? name : foldName(name);
        this.lastAt = '';             // the latest message's sentAt (conversations are listed latest first)
        this.list = el('ol', { className: 'message-list', attrs: { 'aria-label': `Messages ${kind === 'room' ? 'in' : 'with'} ${name}` } });
        this.pendingList = el('ol', { className: 'pending-list', attrs: { 'aria-label': 'Your messages not yet delivered' } });
        this.messages = new Map();    // id → message
        this.historyLoaded = false;   // the latest page has been fetched once
        this.maxContiguous = 0;       // every id from oldestId up to this one is here
        this.maxId = 0;
        this.oldestId = null;
        this.loadingOlder = false;
        this.catchingUp = null;       // the running catch-up (a promise)
        this.catchUpAgain = false;
        this.catchUpFresh = false;    // the running catch-up must fetch once more, hole or not
        this.needsCatchUp = false;    // a (re)connect happened and catch-up has not yet succeeded
        this.retryTimer = null;
        this.users = new Map();       // folded nickname → nickname
        this.typing = new Map();      // folded nickname → {name, timer}
        this.unread = 0;
        this.pending = new Map();     // clientId → outbox entry, in the order written
        this.subscription = null;
        this.live = false;            // joined on the current connection
        this.ready = false;           // catch-up done on the current connection: the outbox may go
        this.scrollTop = null;        // where the reader was; null: at the bottom
        this.draft = '';
    }

    get hasOlder() {
        return this.oldestId != null && this.oldestId > 1;
    }

    get hasHole() {
        return this.historyLoaded && this.maxId > this.maxContiguous;
    }

    get direct() {
        return this.kind === 'direct';
    }

    /** "#general" or "bob": how the message box and the announcements name it. */
    get label() {
        return this.direct ? this.name : `#${this.name}`;
    }

    /** Where an operation (send, typing, join, leave) of this room or conversation goes. */
    destination(operation) {
        return this.direct ? `/app/direct.${this.name}.${operation}` : `/app/room.${this.name}.${operation}`;
    }
}

export class Chat {
    /**
     * onActiveRoomChanged(previous, room), onEdit(text): a refused message back into the box;
     * onUnauthorized(): the token no longer works (REST 401); onMessageUser(nickname): the
     * online list's "Message" button.
     */
    constructor({ me, token, onActiveRoomChanged, onEdit, onUnauthorized, onMessageUser }) {
        this.me = me;
        this.token = token;
        this.onActiveRoomChanged = onActiveRoomChanged;
        this.onEdit = onEdit;
        this.onUnauthorized = onUnauthorized;
        this.rooms = new Map();
        this.directs = new Map();     // folded nickname → Room of kind 'direct'
        this.directSubscription = null;
        this.active = null;
        this.connection = null;
        this.directory = new RoomDirectory({
            join: (name) => this.join(name),
            joinedNames: () => new Set(this.rooms.keys()),
            liveCounts: () => new Map([...this.rooms.values()]
                .filter((room) => room.live && room.users.size > 0)
                .map((room) => [room.name, room.users.size])),
        });
        this.tokens = SEND_BURST;
        this.tokensAt = Date.now();
        this.flushTimer = null;
        this.typingRoom = null;
        this.typingSentAt = 0;
        this.typingIdleTimer = null;
        this.typingDeferTimer = null;
        this.errorSubscription = null;
        this.userActions = { message: (nickname) => onMessageUser(nickname) };
        this.pendingActions = {
            retry: (entry) => this.#retry(entry),
            edit: (entry) => this.#edit(entry),
            discard: (entry) => this.#discard(entry),
        };
        this.historyTop = document.querySelector('.history-top');
        this.emptyNode = $('room-empty');
        this.listeners = new AbortController(); // the page's fixed elements outlive this chat
        const signal = this.listeners.signal;
        $('load-older').addEventListener('click', () => this.active && this.loadOlder(this.active), { signal });
        $('jump-latest').addEventListener('click', () => this.#scrollToBottom(), { signal });
        $('messages').addEventListener('scroll', () => {
            if (isNearBottom($('messages'))) $('jump-latest').hidden = true;
        }, { passive: true, signal });
    }

    get online() {
        return this.connection?.connected ?? false;
    }

    #all() {
        return [...this.rooms.values(), ...this.directs.values()];
    }

    // ---- rooms: join, leave, open ------------------------------------------------------------

    /** The rooms remembered from last time, joined once the connection is up. */
    restore(names, activeName) {
        for (const name of names) if (!this.rooms.has(name)) this.rooms.set(name, new Room(name));
        const first = this.rooms.has(activeName) ? activeName : this.rooms.keys().next().value ?? null;
        this.open(first);
    }

    join(name) {
        let room = this.rooms.get(name);
        if (!room) {
            room = new Room(name);
            this.rooms.set(name, room);
            this.#persist();
            if (this.online) this.#connectRoom(room);
        }
        this.open(name);
        this.refreshDirectory();
    }

    leave(name) {
        const room = this.rooms.get(name);
        if (!room) return;
        if (this.typingRoom === room) this.stopTyping();
        if (room.live) this.connection.send(`/app/room.${name}.leave`, {});
        room.subscription?.unsubscribe();
        room.live = false;
        for (const { timer } of room.typing.values()) clearTimeout(timer);
        clearTimeout(room.retryTimer);
        this.rooms.delete(name);
        this.#persist();
        if (this.active === room) {
            this.active = null;
            this.open(this.rooms.keys().next().value ?? null);
        } else {
            this.#renderRooms();
        }
        announce(`You left ${name}`);
        this.refreshDirectory();
    }

    /** Shows a room (null: none) in the message pane. */
    open(name) {
        this.#show(name == null ? null : this.rooms.get(name) ?? null);
    }

    #show(room) {
        const previous = this.active;
        const scroller = $('messages');
        if (previous && previous !== room) {
            previous.scrollTop = isNearBottom(scroller) ? null : scroller.scrollTop;
            if (this.typingRoom === previous) this.stopTyping();
        }
        this.active = room;
        if (!room?.direct) store.saveActiveRoom(room?.name ?? null);
        $('jump-latest').hidden = true;
        if (!room) {
            scroller.replaceChildren(this.historyTop, this.emptyNode);
            this.historyTop.hidden = true;
            this.emptyNode.hidden = false;
            setText($('room-title'), 'No room open');
            setText($('room-online'), '');
            setText($('toggle-users'), 'People');
            $('users').replaceChildren();
            setText($('typing'), '');
        } else {
            room.unread = 0;
            this.historyTop.hidden = false;
            scroller.replaceChildren(this.historyTop, room.list, room.pendingList);
            setText($('room-title'), room.direct ? `@ ${room.name}` : `# ${room.name}`);
            scroller.setAttribute('aria-label', room.direct ? `Messages with ${room.name}` : `Messages in #${room.name}`);
            this.#renderHistoryControls(room);
            this.#renderPresence(room);
            this.#renderTyping(room);
            if (room.scrollTop == null) this.#scrollToBottom();
            else scroller.scrollTop = room.scrollTop;
        }
        this.#renderRooms();
        this.onActiveRoomChanged(previous, room);
    }

    // ---- the connection ------------------------------------------------------------------------

    /** A (new) STOMP session is up: subscribe, join every room, catch up, send the outbox. */
    attach(connection) {
        this.connection = connection;
        this.errorSubscription = connection.subscribe('/user/queue/errors', (error) => this.#onError(error));
        for (const room of this.rooms.values()) this.#connectRoom(room);
        this.#connectDirects(connection);
        this.#renderAllPending();
    }

    /** The session is gone: nothing is live; what was sent without an echo goes again later. */
    detach() {
        this.typingRoom = null;
        clearTimeout(this.typingIdleTimer);
        this.directSubscription = null;
        for (const room of this.#all()) {
            room.live = false;
            room.ready = false;
            room.subscription = null;
            for (const { timer } of room.typing.values()) clearTimeout(timer);
            room.typing.clear();
            for (const entry of room.pending.values()) if (entry.state === 'sent') entry.state = 'queued';
        }
        this.errorSubscription = null;
        if (this.active) this.#renderTyping(this.active);
        this.#renderAllPending();
    }

    dispose() {
        this.listeners.abort();
        this.directory.dispose();
        clearTimeout(this.flushTimer);
        clearTimeout(this.typingIdleTimer);
        clearTimeout(this.typingDeferTimer);
        for (const room of this.#all()) {
            clearTimeout(room.retryTimer);
            for (const { timer } of room.typing.values()) clearTimeout(timer);
        }
        this.rooms.clear();
        this.directs.clear();
        this.active = null;
        this.connection = null;
    }

    /**
     * Contract section 8: subscribe, join, then fetch ?after= the highest id seen, once the join's
     * RECEIPT says the subscription is registered: a fetch that overtook it could miss a message
     * broadcast in between.
     */
    #connectRoom(room) {
        const connection = this.connection;
        const session = connection.session;
        room.subscription = connection.subscribe(`/topic/room.${room.name}`, (event) => this.#onRoomEvent(room, event));
        const users = connection.subscribe(`/app/room.${room.name}.users`, (reply) => {
            users?.unsubscribe();
            if (this.#isCurrent(room) && Array.isArray(reply.users)) this.#setUsers(room, reply.users);
        });
        const joined = connection.sendConfirmed(`/app/room.${room.name}.join`, {});
        room.live = true;
        room.ready = false;
        room.needsCatchUp = true;
        const caughtUp = joined.then(() => {
            if (!this.#inSession(connection, session)) return undefined;
            return room.historyLoaded ? this.catchUp(room, { fresh: true }) : this.#loadLatest(room);
        });
        caughtUp.finally(() => {
            if (room.live && this.#inSession(connection, session)) {
                room.ready = true;
                this.flush();
            }
        });
    }

    /** Whether the session a step began in is still the one up (a reconnect starts another). */
    #inSession(connection, session) {
        return this.connection === connection && session >= 0 && connection.session === session;
    }

    #isCurrent(room) {
        return (room.direct ? this.directs.get(room.key) : this.rooms.get(room.name)) === room;
    }

    // ---- private conversations (contract section 10) ---------------------------------------------

    /**
     * Subscribes to our conversations before anything direct is sent, then, once the server has
     * registered the subscription (its RECEIPT), lists them (GET /api/direct) and catches up each
     * whose last id is above the highest one here.
     */
    async #connectDirects(connection) {
        const session = connection.session;
        const subscription = connection.subscribe(DIRECT_QUEUE, (event) => this.#onDirectEvent(event), { confirm: true });
        this.directSubscription = subscription;
        const conversations = [...this.directs.values()];
        for (const conversation of conversations) {
            conversation.live = true;
            conversation.ready = false;
            conversation.needsCatchUp = true;
        }
        await subscription?.registered;
        if (!this.#inSession(connection, session)) return;
        let summaries = null;
        try {
            summaries = await listConversations(this.token);
        } catch (e) {
            if (e instanceof ApiError && e.status === 401) {
                this.onUnauthorized();
                return;
            }
        }
        if (!this.#inSession(connection, session)) return;
        const lastIds = new Map();
        for (const summary of summaries ?? []) {
            if (typeof summary?.with !== 'string' || sameName(summary.with, this.me)) continue;
            const conversation = this.#conversation(summary.with, true);
            if (summary.lastMessageAt && summary.lastMessageAt > conversation.lastAt) conversation.lastAt = summary.lastMessageAt;
            lastIds.set(conversation.key, summary.lastId);
        }
        this.#renderRooms();
        for (const conversation of this.directs.values()) {
            const lastId = lastIds.get(conversation.key);
            // without the list (it failed), every conversation catches up
            const behind = !conversation.historyLoaded || summaries === null
                || (Number.isInteger(lastId) && lastId > conversation.maxContiguous);
            const caughtUp = behind ? this.catchUp(conversation, { fresh: true }) : Promise.resolve();
            if (!behind) conversation.needsCatchUp = false;
            caughtUp.finally(() => {
                if (conversation.live && this.#inSession(connection, session)) {
                    conversation.ready = true;
                    this.flush();
                }
            });
        }
    }

    /**
     * The conversation with a nickname, created (live if we are) when there is none yet. The
     * server's spelling (spelled: true) replaces one typed in another case.
     */
    #conversation(nickname, spelled = false) {
        let conversation = this.directs.get(foldName(nickname));
        if (!conversation) {
            conversation = new Room(nickname, 'direct');
            conversation.live = this.directSubscription != null;
            this.directs.set(conversation.key, conversation);
        } else if (spelled && conversation.name !== nickname) {
            conversation.name = nickname;
            if (this.active === conversation) setText($('room-title'), `@ ${nickname}`);
        }
        return conversation;
    }

    #onDirectEvent(event) {
        if (typeof event?.from !== 'string' || typeof event?.to !== 'string') return;
        const other = sameName(event.from, this.me) ? event.to : event.from;
        if (event.type === 'DIRECT') {
            const known = this.directs.has(foldName(other));
            const conversation = this.#conversation(other, true);
            this.#merge(conversation, [asMessage(event)], 'live');
            if (!known) {
                // a new conversation: its history (this message among it) is read before our outbox goes
                this.catchUp(conversation).finally(() => {
                    if (conversation.live) {
                        conversation.ready = true;
                        this.flush();
                    }
                });
            }
            this.#renderRooms();
        } else if (event.type === 'DIRECT_TYPING' && !sameName(event.from, this.me)) {
            const conversation = this.directs.get(foldName(other));
            if (conversation) this.#setTyping(conversation, event.from, event.typing === true);
        }
    }

    /** Opens the conversation with someone we already talk to; false when there is none. */
    openDirect(nickname) {
        const conversation = this.directs.get(foldName(nickname));
        if (!conversation) return false;
        this.#show(conversation);
        return true;
    }

    /**
     * Opens a conversation with a nickname, after asking the server for its history: resolves
     * to null, or to what went wrong in words (nobody claimed the nickname, it is ourselves …).
     */
    async startDirect(nickname) {
        if (sameName(nickname, this.me)) return 'That is you: pick someone else to talk to.';
        if (this.openDirect(nickname)) return null;
        let page;
        try {
            page = await fetchDirectMessages(nickname, this.token, { limit: PAGE_SIZE });
        } catch (e) {
            if (e instanceof ApiError && e.status === 404) return `Nobody has claimed “${nickname}”. Check the spelling: nicknames are matched ignoring case.`;
            if (e instanceof ApiError && e.status === 401) {
                this.onUnauthorized();
                return null;
            }
            if (e instanceof ApiError && e.status === 400) return `“${nickname}” is not a valid nickname.`;
            return 'Could not reach Parley. Try again in a moment.';
        }
        if (this.openDirect(nickname)) return null; // a message from them arrived meanwhile
        // the server spells the nickname as it was first claimed
        const spelled = page.length > 0 ? [page[0].from, page[0].to].find((n) => !sameName(n, this.me)) : nickname;
        const conversation = this.#conversation(spelled ?? nickname);
        this.#applyLatest(conversation, page.map(asMessage));
        conversation.ready = conversation.live;
        this.#show(conversation);
        this.flush();
        return null;
    }

    #fetch(room, query) {
        if (!room.direct) return fetchMessages(room.name, query);
        return fetchDirectMessages(room.name, this.token, query).then((page) => page.map(asMessage));
    }

    /** A failed history request: a token no longer valid signs out; anything else is tried again. */
    #historyFailed(room, error) {
        if (error instanceof ApiError && error.status === 401 && room.direct) this.onUnauthorized();
        else this.#retryLater(room);
    }

    // ---- history -------------------------------------------------------------------------------

    async #loadLatest(room) {
        try {
            const page = await this.#fetch(room, { limit: PAGE_SIZE });
            if (!this.#isCurrent(room)) return;
            this.#applyLatest(room, page);
        } catch (e) {
            this.#historyFailed(room, e);
        }
    }

    #applyLatest(room, page) {
        if (!room.historyLoaded) {
            room.historyLoaded = true;
            room.needsCatchUp = false;
            room.maxContiguous = page.length > 0 ? page[page.length - 1].id : 0;
        }
        this.#merge(room, page, 'history');
    }

    /**
     * Fetches ?after= the last contiguous id until a page is short; also fills live gaps. fresh:
     * at least one fetch begun after this call, for a subscription just confirmed (a running
     * catch-up may have fetched before it was in place).
     */
    catchUp(room, { fresh = false } = {}) {
        if (!room.historyLoaded) return this.#loadLatest(room);
        if (room.catchingUp) {
            room.catchUpAgain = true;
            if (fresh) room.catchUpFresh = true;
            return room.catchingUp;
        }
        room.catchingUp = (async () => {
            try {
                do {
                    room.catchUpAgain = false;
                    room.catchUpFresh = false;
                    for (;;) {
                        const from = room.maxContiguous;
                        const page = await this.#fetch(room, { after: from, limit: CATCH_UP_PAGE_SIZE });
                        if (!this.#isCurrent(room)) return;
                        this.#merge(room, page, 'catch-up');
                        if (page.length < CATCH_UP_PAGE_SIZE || room.maxContiguous === from) break;
                    }
                } while (room.catchUpAgain && (room.hasHole || room.catchUpFresh));
                room.needsCatchUp = false;
            } catch (e) {
                this.#historyFailed(room, e);
            } finally {
                room.catchingUp = null;
            }
        })();
        return room.catchingUp;
    }

    #retryLater(room) {
        clearTimeout(room.retryTimer);
        room.retryTimer = setTimeout(() => {
            if (this.#isCurrent(room) && (room.needsCatchUp || room.hasHole || !room.historyLoaded)) this.catchUp(room);
        }, RETRY_MS);
    }

    async loadOlder(room) {
        if (!room.hasOlder || room.loadingOlder) return;
        room.loadingOlder = true;
        this.#renderHistoryControls(room);
        try {
            const page = await this.#fetch(room, { before: room.oldestId, limit: PAGE_SIZE });
            if (this.#isCurrent(room)) this.#merge(room, page, 'older');
        } catch {
            announce('Could not load older messages. Try again.');
        } finally {
            room.loadingOlder = false;
            if (this.active === room) this.#renderHistoryControls(room);
        }
        if (this.active === room) $('load-older').focus({ preventScroll: true });
    }

    /**
     * Adds messages not seen yet, each in id order; a message already here (same id) is
     * skipped, so live events, catch-up and history may overlap freely.
     * source: 'live', 'catch-up', 'history' or 'older'.
     */
    #merge(room, messages, source) {
        const scroller = $('messages');
        const active = this.active === room;
        const stick = active && isNearBottom(scroller);
        const heightBefore = scroller.scrollHeight;
        const topBefore = scroller.scrollTop;
        const fresh = [];
        // older pages go in newest first, so each lands right before the one after it
        const ordered = source === 'older' ? [...messages].reverse() : messages;
        for (const message of ordered) {
            if (!message || !Number.isInteger(message.id) || room.messages.has(message.id)) continue;
            room.messages.set(message.id, message);
            const own = sameName(message.sender, this.me);
            const item = messageElement(message, own);
            insertMessage(room.list, item, message.id);
            regroup(item);
            regroup(item.nextElementSibling);
            if (own && message.clientId) this.#confirm(room, message.clientId);
            room.maxId = Math.max(room.maxId, message.id);
            if (typeof message.sentAt === 'string' && message.sentAt > room.lastAt) room.lastAt = message.sentAt;
            if (room.oldestId == null || message.id < room.oldestId) room.oldestId = message.id;
            if (source === 'live' || source === 'catch-up') {
                fresh.push({ message, own });
                this.#setTyping(room, message.sender, false);
            }
        }
        if (room.historyLoaded) {
            while (room.messages.has(room.maxContiguous + 1)) room.maxContiguous++;
        }
        const others = fresh.filter((f) => !f.own);
        if (!active && others.length > 0) {
            room.unread += others.length;
            this.#renderRooms();
        }
        if (active) {
            for (const { message } of others.slice(-ANNOUNCE_MAX_MESSAGES)) {
                announce(`${message.sender}: ${[...message.text].slice(0, ANNOUNCE_MAX_CHARS).join('')}`);
            }
            if (source === 'older') {
                scroller.scrollTop = topBefore + (scroller.scrollHeight - heightBefore);
            } else if (source === 'history' || stick || fresh.some((f) => f.own)) {
                this.#scrollToBottom();
            } else if (fresh.length > 0) {
                $('jump-latest').hidden = false;
            }
            this.#renderHistoryControls(room);
        } else if (source === 'history') {
            room.scrollTop = null;
        }
        if (room.hasHole) this.catchUp(room);
    }

    // ---- live events ---------------------------------------------------------------------------

    #onRoomEvent(room, event) {
        if (!this.#isCurrent(room) || !room.live) return;
        switch (event.type) {
            case 'MESSAGE':
                this.#merge(room, [event], 'live');
                break;
            case 'JOIN':
                room.users.set(foldName(event.user), event.user);
                this.#updateDirectoryCount(room.name, event.online);
                if (!sameName(event.user, this.me)) this.#eventLine(room, `${event.user} joined`, event.at);
                if (this.active === room) this.#renderPresence(room);
                break;
            case 'LEAVE':
                room.users.delete(foldName(event.user));
                this.#setTyping(room, event.user, false);
                this.#updateDirectoryCount(room.name, event.online);
                if (!sameName(event.user, this.me)) this.#eventLine(room, `${event.user} left`, event.at);
                else if (room.live) room.users.set(foldName(this.me), this.me); // another tab of ours left
                if (this.active === room) this.#renderPresence(room);
                break;
            case 'TYPING':
                if (!sameName(event.user, this.me)) this.#setTyping(room, event.user, event.typing === true);
                break;
            default:
                break;
        }
    }

    #eventLine(room, text, at) {
        const scroller = $('messages');
        const stick = this.active === room && isNearBottom(scroller);
        room.list.append(eventElement(text, at));
        if (stick) this.#scrollToBottom();
    }

    #setUsers(room, users) {
        room.users = new Map(users.map((user) => [foldName(user), user]));
        if (room.live) room.users.set(foldName(this.me), this.me);
        if (this.active === room) this.#renderPresence(room);
    }

    #setTyping(room, user, typing) {
        const key = foldName(user);
        const current = room.typing.get(key);
        if (!typing && !current) return;
        clearTimeout(current?.timer);
        if (typing) {
            const timer = setTimeout(() => {
                room.typing.delete(key);
                if (this.active === room) this.#renderTyping(room);
            }, TYPING_SHOWN_MS);
            room.typing.set(key, { name: user, timer });
        } else {
            room.typing.delete(key);
        }
        if (this.active === room) this.#renderTyping(room);
    }

    // ---- our own typing ------------------------------------------------------------------------

    /** Called on every edit of the message box. */
    composing(hasText) {
        const room = this.active;
        if (!hasText) {
            this.stopTyping();
            return;
        }
        if (!room || !room.live) return;
        const now = Date.now();
        if (this.typingRoom !== room || now - this.typingSentAt > TYPING_REFRESH_MS) {
            if (this.typingRoom && this.typingRoom !== room) this.stopTyping();
            const wait = this.typingSentAt + TYPING_MIN_GAP_MS - now;
            if (wait > 0) {
                // too soon after the last typing event: say it a moment later, once
                if (!this.typingDeferTimer) {
                    this.typingDeferTimer = setTimeout(() => {
                        this.typingDeferTimer = null;
                        if (this.active === room && $('message-input').value.trim() !== '') this.composing(true);
                    }, wait);
                }
            } else if (this.connection.send(room.destination('typing'), { typing: true })) {
                this.typingRoom = room;
                this.typingSentAt = now;
            }
        }
        clearTimeout(this.typingIdleTimer);
        this.typingIdleTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
    }

    stopTyping() {
        clearTimeout(this.typingIdleTimer);
        clearTimeout(this.typingDeferTimer);
        this.typingDeferTimer = null;
        const room = this.typingRoom;
        this.typingRoom = null;
        if (room?.live && this.#isCurrent(room)) {
            this.connection.send(room.destination('typing'), { typing: false });
            this.typingSentAt = Date.now();
        }
    }

    // ---- the outbox ----------------------------------------------------------------------------

    /** Queues a message for the open room; it goes out now, or once connected and caught up. */
    send(text) {
        const room = this.active;
        if (!room) return false;
        const entry = { clientId: newClientId(), text, room, state: 'queued', error: null, retryable: false, rejoins: 0 };
        entry.element = pendingElement(entry, this.pendingActions, this.online);
        room.pending.set(entry.clientId, entry);
        room.pendingList.append(entry.element);
        this.stopTyping();
        this.#scrollToBottom();
        this.flush();
        return true;
    }

    /** Sends queued messages in order, paced below the server's rate limit. */
    flush() {
        clearTimeout(this.flushTimer);
        const now = Date.now();
        this.tokens = Math.min(SEND_BURST, this.tokens + ((now - this.tokensAt) / 1000) * SEND_PER_SECOND);
        this.tokensAt = now;
        if (!this.online) return;
        for (const room of this.#all()) {
            if (!room.live || !room.ready) continue;
            for (const entry of room.pending.values()) {
                if (entry.state !== 'queued') continue;
                if (this.tokens < 1) {
                    const wait = ((1 - this.tokens) * 1000) / SEND_PER_SECOND;
                    this.flushTimer = setTimeout(() => this.flush(), Math.ceil(wait) + 10);
                    return;
                }
                if (!this.connection.send(room.destination('send'), { text: entry.text, clientId: entry.clientId })) return;
                this.tokens -= 1;
                entry.state = 'sent';
                this.#renderPending(entry);
            }
        }
    }

    /** Our echo (live or found by catch-up): the message is stored, the outbox entry goes. */
    #confirm(room, clientId) {
        const entry = room.pending.get(clientId);
        if (!entry) return;
        room.pending.delete(clientId);
        entry.element.remove();
    }

    #onError(error) {
        const destination = error?.destination ?? '';
        const direct = DIRECT_DESTINATION.exec(destination);
        const match = direct ?? ROOM_DESTINATION.exec(destination);
        const room = direct ? this.directs.get(foldName(direct[1])) : match ? this.rooms.get(match[1]) : null;
        const operation = match?.[2];
        const entry = error?.clientId && room ? room.pending.get(error.clientId) : null;
        if (entry) {
            this.#refused(room, entry, error);
        } else if (operation === 'typing') {
            // typing is best effort; nothing to tell
        } else if (operation === 'join' && room) {
            announce(`Could not join ${room.name}: ${error.message}`);
        } else if (error?.message) {
            announce(`The server refused a request: ${error.message}`);
        }
    }

    #refused(room, entry, error) {
        if (error.code === 'NOT_JOINED' && entry.rejoins < 2 && room.live) {
            // our join got lost somehow: join again and resend (the clientId keeps it single)
            entry.rejoins++;
            this.connection.send(`/app/room.${room.name}.join`, {});
            entry.state = 'queued';
            this.#renderPending(entry);
            this.flush();
            return;
        }
        entry.state = 'failed';
        entry.retryable = error.code !== 'INVALID_MESSAGE' && error.code !== 'UNKNOWN_USER';
        entry.error = ERROR_TEXT[error.code] ?? `Not sent: ${error.message}`;
        if (error.code === 'RATE_LIMITED') this.tokens = 0;
        this.#renderPending(entry);
        announce(entry.error);
    }

    #retry(entry) {
        entry.state = 'queued';
        entry.error = null;
        this.#renderPending(entry);
        this.flush();
    }

    #edit(entry) {
        this.#discard(entry);
        this.onEdit(entry.text);
    }

    #discard(entry) {
        entry.room.pending.delete(entry.clientId);
        entry.element.remove();
    }

    #renderPending(entry) {
        updatePendingElement(entry.element, entry, this.pendingActions, this.online);
    }

    #renderAllPending() {
        for (const room of this.#all()) for (const entry of room.pending.values()) this.#renderPending(entry);
    }

    // ---- the room directory (GET /api/rooms, directory.js) ---------------------------------------

    refreshDirectory() {
        return this.directory.refresh();
    }

    #updateDirectoryCount(name, online) {
        this.directory.updateCount(name, online);
    }

    #renderDirectory() {
        this.directory.render();
    }

    // ---- rendering -----------------------------------------------------------------------------

    #renderRooms() {
        const rooms = [...this.rooms.values()];
        renderJoinedRooms($('joined-rooms'), rooms, this.active?.name ?? null, {
            open: (name) => this.open(name),
            leave: (name) => this.leave(name),
        });
        $('no-rooms').hidden = rooms.length > 0;
        const conversations = [...this.directs.values()].sort((a, b) => (a.lastAt < b.lastAt ? 1 : a.lastAt > b.lastAt ? -1 : 0));
        renderConversations($('direct-list'), conversations, this.active?.direct ? this.active.key : null, {
            open: (key) => this.#show(this.directs.get(key) ?? null),
        });
        $('no-directs').hidden = conversations.length > 0;
        const unread = this.#all().reduce((sum, room) => sum + room.unread, 0);
        document.title = unread > 0 ? `(${unread}) Parley` : 'Parley';
        const badge = $('toggle-rooms-badge');
        badge.hidden = unread === 0;
        setText(badge, String(unread));
        this.#renderDirectory();
    }

    #renderPresence(room) {
        if (room.direct) {
            // a conversation has no online list: it shows who is in it
            setText($('people-title'), 'In this conversation');
            renderUsers($('users'), [room.name, this.me], this.me, null);
            setText($('room-online'), 'Private conversation');
            setText($('toggle-users'), 'People (2)');
            return;
        }
        setText($('people-title'), 'Online');
        renderUsers($('users'), room.users.values(), this.me, this.userActions);
        const count = room.users.size;
        setText($('room-online'), room.live || count > 0 ? `${count} online` : '');
        setText($('toggle-users'), `People (${count})`);
    }

    #renderTyping(room) {
        setText($('typing'), typingText([...room.typing.values()].map((t) => t.name)));
    }

    #renderHistoryControls(room) {
        const button = $('load-older');
        const start = $('history-start');
        button.hidden = !room.hasOlder;
        button.disabled = room.loadingOlder;
        setText(button, room.loadingOlder ? 'Loading…' : 'Load older messages');
        start.hidden = room.hasOlder;
        const beginning = room.direct ? `This is the beginning of your conversation with ${room.name}.` : `This is the beginning of #${room.name}.`;
        setText(start, room.historyLoaded ? beginning : 'Loading history…');
    }

    #scrollToBottom() {
        const scroller = $('messages');
        scroller.scrollTop = scroller.scrollHeight;
        $('jump-latest').hidden = true;
    }

    #persist() {
        store.saveRooms([...this.rooms.keys()]);
    }
}
