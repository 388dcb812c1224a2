// Turns chat state into DOM. Every piece of user text goes through el({text}) / textContent.

import { $, el, avatar, formatTime, formatFullTime, setText } from './dom.js';
import { sameName } from './rules.js';

const TYPING_NAMES_SHOWN = 3;
const GROUP_WITHIN_MS = 5 * 60_000;
const NEAR_BOTTOM_PX = 48;

/** A stored message: <li class="message" data-id="42">; own messages also get class "own". */
export function messageElement(message, own) {
    const time = el('time', {
        className: 'time',
        text: formatTime(message.sentAt),
        attrs: { datetime: message.sentAt, title: formatFullTime(message.sentAt) },
    });
    return el('li', {
        className: own ? 'message own' : 'message',
        dataset: { id: message.id, sender: message.sender, sentAt: message.sentAt },
    },
    avatar(message.sender),
    el('div', { className: 'bubble' },
        el('div', { className: 'meta' },
            el('span', { className: 'sender', text: message.sender }),
            own ? el('span', { className: 'visually-hidden', text: ' (you)' }) : null,
            ' ', time),
        el('p', { className: 'text', text: message.text })));
}

/**
 * Puts a message element in id order: before the first message with a larger id, else at the
 * end. Walks from the end, where nearly every message lands.
 */
export function insertMessage(list, item, id) {
    let before = null;
    for (let node = list.lastElementChild; node; node = node.previousElementSibling) {
        if (!node.classList.contains('message')) continue;
        if (Number(node.dataset.id) > id) before = node;
        else break;
    }
    list.insertBefore(item, before);
}

/**
 * Marks a message "continued" when the one right before it is from the same person, shortly
 * before: such runs are drawn tighter, with one avatar. Call for a new element and the one after it.
 */
export function regroup(item) {
    if (!item?.classList.contains('message')) return;
    const previous = item.previousElementSibling;
    const continued = previous != null && previous.classList.contains('message')
        && sameName(previous.dataset.sender, item.dataset.sender)
        && Math.abs(Date.parse(item.dataset.sentAt) - Date.parse(previous.dataset.sentAt)) < GROUP_WITHIN_MS;
    item.classList.toggle('continued', continued);
}

/** A join / leave line: "bob joined". */
export function eventElement(text, at) {
    return el('li', { className: 'event', attrs: { title: at ? formatFullTime(at) : null } },
        el('span', { text }), at ? el('time', { className: 'time', text: formatTime(at), attrs: { datetime: at } }) : null);
}

/** A message of ours not yet confirmed by its echo: queued, sending or refused. */
export function pendingElement(entry, actions, online) {
    const item = el('li', { className: 'pending own', dataset: { clientId: entry.clientId } });
    item.append(el('div', { className: 'bubble' },
        el('p', { className: 'text', text: entry.text }),
        el('div', { className: 'pending-status' })));
    updatePendingElement(item, entry, actions, online);
    return item;
}

export function updatePendingElement(item, entry, actions, online) {
    const status = item.querySelector('.pending-status');
    item.classList.toggle('failed', entry.state === 'failed');
    item.dataset.state = entry.state;
    status.replaceChildren();
    if (entry.state === 'failed') {
        status.append(el('span', { className: 'pending-error', text: entry.error }));
        const buttons = el('span', { className: 'pending-actions' });
        if (entry.retryable) buttons.append(el('button', { text: 'Retry', attrs: { type: 'button' }, on: { click: () => actions.retry(entry) } }));
        buttons.append(
            el('button', { text: 'Edit', attrs: { type: 'button' }, on: { click: () => actions.edit(entry) } }),
            el('button', { text: 'Delete', attrs: { type: 'button' }, on: { click: () => actions.discard(entry) } }));
        status.append(buttons);
    } else if (entry.state === 'queued' && !online) {
        status.append(el('span', { text: 'Queued: sent when the connection is back' }));
    } else {
        status.append(el('span', { text: 'Sending…' }));
    }
}

/**
 * The online list: sorted case-insensitively, "(you)" after one's own nickname, a "Message"
 * button (actions.message) after everyone else's.
 */
export function renderUsers(list, users, me, actions) {
    const sorted = [...users].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' }));
    list.replaceChildren(...sorted.map((name) => {
        const own = sameName(name, me);
        return el('li', { className: 'user', dataset: { user: name } },
            avatar(name, 'avatar small'),
            el('span', { className: 'user-name', text: name }),
            own ? el('span', { className: 'muted small', text: ' (you)' }) : null,
            own || !actions ? null : el('button', {
                className: 'user-message',
                text: 'DM',
                attrs: { type: 'button', 'aria-label': `Message ${name} privately`, title: `Message ${name} privately` },
                on: { click: () => actions.message(name) },
            }));
    }));
}

/**
 * Direct messages: one entry per conversation, latest first, with its unread count
 * (#direct-unread-{folded nickname}).
 */
export function renderConversations(list, conversations, activeKey, actions) {
    list.replaceChildren(...conversations.map((conversation) => {
        const active = conversation.key === activeKey;
        const badge = el('span', {
            className: 'unread',
            text: conversation.unread > 99 ? '99+' : String(conversation.unread),
            attrs: { id: `direct-unread-${conversation.key}`, hidden: conversation.unread === 0 },
        });
        const open = el('button', {
            className: 'room-open',
            attrs: {
                type: 'button',
                'aria-current': active ? 'true' : null,
                'aria-label': conversation.unread > 0 ? `${conversation.name}, ${conversation.unread} unread` : conversation.name,
            },
            on: { click: () => actions.open(conversation.key) },
        }, el('span', { className: 'hash', text: '@', attrs: { 'aria-hidden': 'true' } }),
        el('span', { className: 'room-name', text: conversation.name }), badge);
        return el('li', {
            className: active ? 'room conversation active' : 'room conversation',
            dataset: { with: conversation.name, unread: conversation.unread },
        }, open);
    }));
}

/** "alice is typing…", "alice and bob are typing…", "alice, bob and carol are typing…" */
export function typingText(names) {
    if (names.length === 0) return '';
    if (names.length === 1) return `${names[0]} is typing…`;
    if (names.length > TYPING_NAMES_SHOWN) return 'Several people are typing…';
    return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are typing…`;
}

/** Your rooms: open, unread badge, leave. */
export function renderJoinedRooms(list, rooms, activeName, actions) {
    list.replaceChildren(...rooms.map((room) => {
        const active = room.name === activeName;
        const badge = el('span', {
            className: 'unread',
            text: room.unread > 99 ? '99+' : String(room.unread),
            attrs: { hidden: room.unread === 0 },
        });
        const open = el('button', {
            className: 'room-open',
            attrs: {
                type: 'button',
                'aria-current': active ? 'true' : null,
                'aria-label': room.unread > 0 ? `${room.name}, ${room.unread} unread` : room.name,
            },
            on: { click: () => actions.open(room.name) },
        }, el('span', { className: 'hash', text: '#', attrs: { 'aria-hidden': 'true' } }),
        el('span', { className: 'room-name', text: room.name }), badge);
        const leave = el('button', {
            className: 'room-leave',
            text: '×',
            attrs: { type: 'button', 'aria-label': `Leave ${room.name}`, title: `Leave #${room.name}` },
            on: { click: () => actions.leave(room.name) },
        });
        return el('li', {
            className: active ? 'room joined active' : 'room joined',
            dataset: { room: room.name, unread: room.unread },
        }, open, leave);
    }));
}

/** All rooms (GET /api/rooms): name and online count; one click joins. */
export function renderDirectory(list, summaries, joinedNames, actions) {
    list.replaceChildren(...summaries.map((summary) => {
        const joined = joinedNames.has(summary.name);
        const label = `${summary.name}, ${summary.online} online${joined ? ', joined' : ''}`;
        return el('li', { className: joined ? 'room listed joined' : 'room listed', dataset: { room: summary.name, online: summary.online } },
            el('button', {
                className: 'room-open',
                attrs: { type: 'button', 'aria-label': label },
                on: { click: () => actions.join(summary.name) },
            }, el('span', { className: 'hash', text: '#', attrs: { 'aria-hidden': 'true' } }),
            el('span', { className: 'room-name', text: summary.name }),
            el('span', { className: 'online-count', text: `${summary.online} online` })));
    }));
}

const STATUS_TEXT = {
    connecting: () => 'Connecting…',
    connected: (c) => `Connected over ${c.transport ?? 'SockJS'}`,
    reconnecting: (c) => `Reconnecting in ${Math.max(1, Math.ceil((c.retryAt - Date.now()) / 1000))} s`,
    offline: () => 'Offline: waiting for the network',
    stopped: () => 'Signed out',
};

export function renderStatus(connection) {
    const status = $('status');
    status.dataset.state = connection.state;
    status.dataset.transport = connection.transport ?? '';
    setText($('status-text'), STATUS_TEXT[connection.state](connection));
    $('reconnect-now').hidden = connection.state !== 'reconnecting';
}

export function isNearBottom(scroller) {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
}
