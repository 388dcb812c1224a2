// What this browser remembers: the nickname's token, the rooms joined, the room last open.

const IDENTITY_KEY = 'parley.identity';
const ROOMS_KEY = 'parley.rooms';
const ACTIVE_KEY = 'parley.activeRoom';

function read(key) {
    try {
        return JSON.parse(localStorage.getItem(key));
    } catch {
        return null;
    }
}

function write(key, value) {
    try {
        if (value == null) localStorage.removeItem(key);
        else localStorage.setItem(key, JSON.stringify(value));
    } catch {
        // storage full or disabled: the page still works, it just won't remember
    }
}

export const IDENTITY_STORAGE_KEY = IDENTITY_KEY;

/** {nickname, token} or null */
export function loadIdentity() {
    const identity = read(IDENTITY_KEY);
    return identity && typeof identity.nickname === 'string' && typeof identity.token === 'string' ? identity : null;
}

export function saveIdentity(identity) {
    write(IDENTITY_KEY, { nickname: identity.nickname, token: identity.token });
}

export function forgetIdentity() {
    write(IDENTITY_KEY, null);
    write(ROOMS_KEY, null);
    write(ACTIVE_KEY, null);
}

export function loadRooms() {
    const rooms = read(ROOMS_KEY);
    return Array.isArray(rooms) ? rooms.filter((r) => typeof r === 'string') : null;
}

export function saveRooms(rooms) {
    write(ROOMS_KEY, rooms);
}

export function loadActiveRoom() {
    const room = read(ACTIVE_KEY);
    return typeof room === 'string' ? room : null;
}

export function saveActiveRoom(room) {
    write(ACTIVE_KEY, room);
}
