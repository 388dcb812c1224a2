// Parley's chat page: sign-in, then the chat (rooms.js) over one reconnecting STOMP session
// (connection.js). Plain modules, no build step.

import { ApiError, claimNickname } from './api.js';
import { Connection, transportsFromQuery } from './connection.js';
import { $, announce, setText } from './dom.js';
import { renderStatus } from './render.js';
import { Chat } from './rooms.js';
import {
    COUNTER_FROM, MAX_MESSAGE_LENGTH, codePoints, messageProblem, nicknameProblem, roomProblem, stripText,
} from './rules.js';
import * as store from './store.js';

const FIRST_ROOM = 'general';             // where a new nickname starts
const DIRECTORY_REFRESH_MS = 15_000;
const TEXTAREA_MAX_PX = 200;
const HINT_ONLINE = 'Enter sends · Shift+Enter for a new line';
const HINT_OFFLINE = 'Offline: Enter queues your message; it goes out when the connection is back.';
const ROOM_HINT = 'Use a–z, 0–9, _ and -';

let session = null; // {identity, connection, chat, directoryTimer}

// ---- sign-in ---------------------------------------------------------------------------------------

function showLogin(message) {
    $('chat-view').hidden = true;
    $('login-view').hidden = false;
    document.title = 'Parley';
    const error = $('nickname-error');
    error.hidden = !message;
    setText(error, message ?? '');
    $('nickname').setAttribute('aria-invalid', message ? 'true' : 'false');
    $('claim').disabled = false;
    $('nickname').focus();
}

async function onClaim(event) {
    event.preventDefault();
    const input = $('nickname');
    const nickname = input.value.trim();
    const problem = nicknameProblem(nickname);
    const error = $('nickname-error');
    if (problem) {
        showLoginError(problem);
        return;
    }
    $('claim').disabled = true;
    error.hidden = true;
    try {
        const identity = await claimNickname(nickname);
        store.saveIdentity(identity);
        store.saveRooms([FIRST_ROOM]);
        store.saveActiveRoom(FIRST_ROOM);
        input.value = '';
        startChat(identity);
    } catch (e) {
        if (e instanceof ApiError && e.status === 409) {
            showLoginError(`“${nickname}” is already taken. If it is yours, open Parley in the browser where you claimed it; otherwise pick another nickname.`);
        } else if (e instanceof ApiError && e.status === 400) {
            showLoginError(e.message || 'That nickname is not valid.');
        } else if (e instanceof ApiError && e.status === 429) {
            // the server's detail says how long to wait (contract section 6a)
            showLoginError(e.message || 'Too many nicknames claimed from your address. Try again later.');
        } else {
            showLoginError('Could not reach Parley. Check your connection and try again.');
        }
    } finally {
        $('claim').disabled = false;
    }
}

function showLoginError(text) {
    const error = $('nickname-error');
    setText(error, text);
    error.hidden = false;
    $('nickname').setAttribute('aria-invalid', 'true');
    $('nickname').focus();
}

// ---- the chat --------------------------------------------------------------------------------------

function startChat(identity) {
    stopChat();
    $('login-view').hidden = true;
    $('chat-view').hidden = false;
    setText($('me-name'), identity.nickname);
    setText($('drawer-me-name'), identity.nickname);

    const signOutRefused = (reason) => {
        store.forgetIdentity();
        stopChat();
        showLogin(`This server no longer accepts “${identity.nickname}” from this browser (${reason}). Pick a nickname again.`);
    };
    const chat = new Chat({
        me: identity.nickname,
        token: identity.token,
        onActiveRoomChanged: (previous, room) => onRoomChanged(previous, room),
        onUnauthorized: () => signOutRefused('its key is no longer valid'),
        onMessageUser: (nickname) => startDirect(nickname),
        onEdit: (text) => {
            const input = $('message-input');
            input.value = input.value ? `${input.value}\n${text}` : text;
            onComposerInput();
            input.focus();
        },
    });
    let wasConnected = false;
    const connection = new Connection({
        nickname: identity.nickname,
        token: identity.token,
        transports: transportsFromQuery(location.search),
        onConnected: (c) => chat.attach(c),
        onLost: () => chat.detach(),
        onFatal: (reason) => signOutRefused(reason),
        onStatus: (c) => {
            renderStatus(c);
            updateComposer();
            if (c.state === 'connected' && !wasConnected) announce(`Connected over ${c.transport}`);
            if (c.state !== 'connected' && c.state !== 'connecting' && wasConnected) announce('Connection lost. Reconnecting…');
            if (c.state !== 'connecting') wasConnected = c.state === 'connected';
        },
    });
    session = { identity, connection, chat, directoryTimer: null };
    chat.restore(store.loadRooms() ?? [], store.loadActiveRoom());
    connection.start();
    chat.refreshDirectory();
    session.directoryTimer = setInterval(() => chat.refreshDirectory(), DIRECTORY_REFRESH_MS);
}

function stopChat() {
    if (!session) return;
    clearInterval(session.directoryTimer);
    session.chat.stopTyping();
    session.connection.stop();
    session.chat.dispose();
    session = null;
    $('message-input').value = '';
    $('direct-start-input').value = '';
    showDirectError(null);
}

function onSignOut() {
    if (!session) return;
    const name = session.identity.nickname;
    const sure = window.confirm(`Sign out of “${name}”? This browser forgets its key, and nobody can claim “${name}” again.`);
    if (!sure) return;
    stopChat();
    store.forgetIdentity();
    showLogin();
}

/** Another tab signed in or out: follow it. */
function onStorage(event) {
    if (event.key !== store.IDENTITY_STORAGE_KEY && event.key !== null) return;
    const identity = store.loadIdentity();
    if (!identity && session) {
        stopChat();
        showLogin('You signed out in another tab.');
    } else if (identity && !session) {
        startChat(identity);
    }
}

// ---- the message box -------------------------------------------------------------------------------

function onRoomChanged(previous, room) {
    const input = $('message-input');
    if (previous) previous.draft = input.value;
    input.value = room?.draft ?? '';
    const label = room ? `Message ${room.label}` : 'Message';
    setText($('message-label'), label);
    input.placeholder = room ? label : 'Join a room to write';
    $('composer-error').hidden = true;
    closeDrawers();
    onComposerInput(false);
}

function updateComposer() {
    const input = $('message-input');
    const room = session?.chat.active ?? null;
    const online = session?.connection.connected ?? false;
    const problem = messageProblem(stripText(input.value));
    input.disabled = !room;
    $('send').disabled = !room || !online || problem !== null;
    setText($('composer-hint'), online || !room ? HINT_ONLINE : HINT_OFFLINE);
}

function onComposerInput(typed = true) {
    const input = $('message-input');
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, TEXTAREA_MAX_PX)}px`;
    const stripped = stripText(input.value);
    const length = codePoints(stripped);
    const counter = $('counter');
    const over = length > MAX_MESSAGE_LENGTH;
    counter.classList.toggle('over', over);
    if (length >= COUNTER_FROM) {
        setText(counter, over
            ? `${length} / ${MAX_MESSAGE_LENGTH}: ${length - MAX_MESSAGE_LENGTH} too many`
            : `${length} / ${MAX_MESSAGE_LENGTH}`);
    } else {
        setText(counter, '');
    }
    input.setAttribute('aria-invalid', over ? 'true' : 'false');
    if (!over) $('composer-error').hidden = true;
    if (typed && session) session.chat.composing(stripped !== '');
    updateComposer();
}

function onComposerKey(event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitMessage();
    }
}

function submitMessage() {
    if (!session?.chat.active) return;
    const input = $('message-input');
    const text = stripText(input.value);
    const problem = messageProblem(text);
    if (problem === 'empty') return;
    if (problem === 'too-long') {
        const error = $('composer-error');
        setText(error, `Too long: a message is at most ${MAX_MESSAGE_LENGTH} characters. Shorten it or split it in two.`);
        error.hidden = false;
        return;
    }
    if (session.chat.send(text)) {
        input.value = '';
        onComposerInput(false);
        input.focus();
    }
}

// ---- joining a room --------------------------------------------------------------------------------

function onRoomNameInput() {
    const input = $('room-name');
    const name = input.value.trim();
    const problem = name === '' ? null : roomProblem(name);
    showRoomHint(problem);
}

function showRoomHint(problem) {
    const hint = $('room-name-hint');
    setText(hint, problem ?? ROOM_HINT);
    hint.classList.toggle('error-text', problem != null);
    $('room-name').setAttribute('aria-invalid', problem ? 'true' : 'false');
}

function onJoin(event) {
    event.preventDefault();
    if (!session) return;
    const input = $('room-name');
    const name = input.value.trim();
    const problem = roomProblem(name);
    if (problem) {
        showRoomHint(problem);
        input.focus();
        return;
    }
    input.value = '';
    showRoomHint(null);
    session.chat.join(name);
    $('message-input').focus();
}

// ---- private conversations ------------------------------------------------------------------------

function showDirectError(text) {
    const error = $('direct-start-error');
    setText(error, text ?? '');
    error.hidden = !text;
    $('direct-start-input').setAttribute('aria-invalid', text ? 'true' : 'false');
}

/** Opens the conversation with a nickname (typed, or the online list's "Message"), or says why not. */
async function startDirect(nickname) {
    if (!session) return;
    const chat = session.chat;
    const problem = nickname === '' ? 'Type the nickname of the person to message.' : nicknameProblem(nickname);
    if (problem) {
        showDirectError(problem);
        $('direct-start-input').focus();
        return;
    }
    showDirectError(null);
    $('direct-start-button').disabled = true;
    try {
        const refused = await chat.startDirect(nickname);
        if (session?.chat !== chat) return;
        if (refused) {
            showDirectError(refused);
            $('direct-start-input').focus();
        } else {
            $('direct-start-input').value = '';
            $('message-input').focus();
        }
    } finally {
        $('direct-start-button').disabled = false;
    }
}

function onDirectStart(event) {
    event.preventDefault();
    startDirect($('direct-start-input').value.trim());
}

// ---- narrow screens: rooms and people as drawers ---------------------------------------------------

function toggleDrawer(name) {
    const open = !document.body.classList.contains(name);
    closeDrawers();
    if (open) {
        document.body.classList.add(name);
        $('scrim').hidden = false;
    }
    $('toggle-rooms').setAttribute('aria-expanded', String(document.body.classList.contains('show-rooms')));
    $('toggle-users').setAttribute('aria-expanded', String(document.body.classList.contains('show-people')));
}

function closeDrawers() {
    document.body.classList.remove('show-rooms', 'show-people');
    $('scrim').hidden = true;
    $('toggle-rooms').setAttribute('aria-expanded', 'false');
    $('toggle-users').setAttribute('aria-expanded', 'false');
}

// ---- start -----------------------------------------------------------------------------------------

function init() {
    $('login-form').addEventListener('submit', onClaim);
    $('nickname').addEventListener('input', () => {
        $('nickname-error').hidden = true;
        $('nickname').setAttribute('aria-invalid', 'false');
    });
    $('sign-out').addEventListener('click', onSignOut);
    $('drawer-sign-out').addEventListener('click', onSignOut);
    $('reconnect-now').addEventListener('click', () => session?.connection.reconnectNow());
    $('composer').addEventListener('submit', (event) => {
        event.preventDefault();
        submitMessage();
    });
    $('message-input').addEventListener('input', () => onComposerInput());
    $('message-input').addEventListener('keydown', onComposerKey);
    $('join-form').addEventListener('submit', onJoin);
    $('direct-start-form').addEventListener('submit', onDirectStart);
    $('direct-start-input').addEventListener('input', () => showDirectError(null));
    $('room-name').addEventListener('input', onRoomNameInput);
    $('toggle-rooms').addEventListener('click', () => toggleDrawer('show-rooms'));
    $('toggle-users').addEventListener('click', () => toggleDrawer('show-people'));
    $('scrim').addEventListener('click', closeDrawers);
    document.addEventListener('keydown', (event) => {
        if (event.key === 'Escape') closeDrawers();
    });
    window.addEventListener('storage', onStorage);
    // leave cleanly (DISCONNECT), so others see us go at once; come back fresh from the back/forward cache
    window.addEventListener('pagehide', () => session?.connection.stop());
    window.addEventListener('pageshow', (event) => {
        if (event.persisted) location.reload();
    });

    const identity = store.loadIdentity();
    if (identity) startChat(identity);
    else showLogin();
}

init();
