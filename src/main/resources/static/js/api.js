// The REST API (contract section 7).

export const PAGE_SIZE = 50;          // latest page and each scroll-back page
export const CATCH_UP_PAGE_SIZE = 200; // chat.history.max-limit: fewer round trips when catching up

export class ApiError extends Error {
    constructor(status, detail) {
        super(detail || `HTTP ${status}`);
        this.status = status;
    }
}

async function request(path, options = {}) {
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
    return body;
}

/** POST /api/nicknames → {nickname, token}; 409 when taken, 400 when invalid. */
export function claimNickname(nickname) {
    return request('/api/nicknames', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ nickname }),
    });
}

/** GET /api/rooms → [{name, online, messages, lastMessageAt}] */
export function listRooms() {
    return request('/api/rooms');
}

/** GET /api/rooms/{room}/messages with before / after / limit; always oldest first. */
export function fetchMessages(room, { before, after, limit = PAGE_SIZE } = {}) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before != null) query.set('before', String(before));
    if (after != null) query.set('after', String(after));
    return request(`/api/rooms/${encodeURIComponent(room)}/messages?${query}`);
}
