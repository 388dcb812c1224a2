// The REST API (contract section 7).

export const PAGE_SIZE = 50;          // latest page and each scroll-back page
export const CATCH_UP_PAGE_SIZE = 200; // chat.history.max-limit: fewer round trips when catching up
const NEXT_LINK = /<(\/api\/rooms\?[^>]*)>;\s*rel="next"/;

export class ApiError extends Error {
    constructor(status, detail) {
        super(detail || `HTTP ${status}`);
        this.status = status;
    }
}

async function request(path, options = {}) {
    return (await exchange(path, options)).body;
}

async function exchange(path, options = {}) {
    const response = await fetch(path, {
        cache: 'no-store',
        ...options,
        headers: { Accept: 'application/json', ...(options.headers ?? {}) },
    });
    let body = null;
    try {
        body = await response.json();
    } catch {
        // no JSON body
    }
    if (!response.ok) throw new ApiError(response.status, body?.detail);
    return { body, headers: response.headers };
}

/** POST /api/nicknames → {nickname, token}; 409 when taken, 400 when invalid. */
export function claimNickname(nickname) {
    return request('/api/nicknames', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ nickname }),
    });
}

/**
 * A page of GET /api/rooms, the first one under a prefix or the one a previous page's `next`
 * names → {rooms: [{name, online, messages, lastMessageAt}], next: the next page's path or null}.
 */
export async function listRooms({ prefix = '', next = null } = {}) {
    let path = next;
    if (path == null) {
        // no limit: the server's page (chat.rooms.default-limit), whatever its maximum
        path = prefix ? `/api/rooms?${new URLSearchParams({ prefix })}` : '/api/rooms';
    }
    const { body, headers } = await exchange(path);
    // only a path of this API is followed, whatever the header says
    const link = NEXT_LINK.exec(headers.get('Link') ?? '');
    return { rooms: Array.isArray(body) ? body : [], next: link ? link[1] : null };
}

/** GET /api/rooms/{room}/messages with before / after / limit; always oldest first. */
export function fetchMessages(room, { before, after, limit = PAGE_SIZE } = {}) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before != null) query.set('before', String(before));
    if (after != null) query.set('after', String(after));
    return request(`/api/rooms/${encodeURIComponent(room)}/messages?${query}`);
}

// ---- private conversations (contract section 10): authenticated with the claim's token ----------

function bearer(token) {
    return { Authorization: `Bearer ${token}` };
}

/** GET /api/direct → [{with, lastId, lastMessageAt}], latest first; 401 when the token is no longer valid. */
export async function listConversations(token) {
    const body = await request('/api/direct', { headers: bearer(token) });
    return Array.isArray(body) ? body : [];
}

/**
 * GET /api/direct/{nickname}/messages with before / after / limit, oldest first, like a room's;
 * 404 when nobody claimed the nickname.
 */
export async function fetchDirectMessages(nickname, token, { before, after, limit = PAGE_SIZE } = {}) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before != null) query.set('before', String(before));
    if (after != null) query.set('after', String(after));
    const body = await request(`/api/direct/${encodeURIComponent(nickname)}/messages?${query}`, { headers: bearer(token) });
    return Array.isArray(body) ? body : [];
}
