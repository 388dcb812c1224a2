// The room directory (GET /api/rooms, contract section 7): a page of rooms at a time, the next
// one loaded when the end of the list scrolls into view (or "More rooms" is pressed), and the
// search box asking the server for the rooms whose names start with what is typed.

import { listRooms } from './api.js';
import { $, setText } from './dom.js';
import { renderDirectory } from './render.js';
import { isRoomPrefix } from './rules.js';

const SEARCH_DEBOUNCE_MS = 250;

export class RoomDirectory {
    /**
     * join(name): join a listed room; joinedNames(): the names of the rooms this tab is in;
     * liveCounts(): name → online for the rooms whose online list this tab follows live.
     */
    constructor({ join, joinedNames, liveCounts }) {
        this.join = join;
        this.joinedNames = joinedNames;
        this.liveCounts = liveCounts;
        this.rooms = [];           // what is listed, by name
        this.prefix = '';          // what the server was asked for; null when no name starts so
        this.next = null;          // the path of the page after the listed ones, or null
        this.loading = false;      // a "more" page is on its way
        this.generation = 0;       // a new search makes older answers stale
        this.stale = false;        // the list is the previous search's until its first page comes
        this.moreVisible = false;
        this.searchTimer = null;
        this.listeners = new AbortController();
        const signal = this.listeners.signal;
        $('room-search').addEventListener('input', () => {
            clearTimeout(this.searchTimer);
            this.searchTimer = setTimeout(() => this.search($('room-search').value), SEARCH_DEBOUNCE_MS);
        }, { signal });
        $('directory-more').addEventListener('click', () => this.loadMore(), { signal });
        this.observer = new IntersectionObserver((entries) => {
            this.moreVisible = entries.some((entry) => entry.isIntersecting);
            if (this.moreVisible) this.loadMore();
        });
        this.observer.observe($('directory-more'));
    }

    dispose() {
        this.listeners.abort();
        this.observer.disconnect();
        clearTimeout(this.searchTimer);
        this.generation++;
        $('room-search').value = '';
    }

    /** Lists the rooms whose names start with `text` (lowercased), from the first page. */
    search(text) {
        const prefix = text.trim().toLowerCase();
        if (prefix === this.prefix) return;
        this.generation++;
        this.prefix = prefix === '' || isRoomPrefix(prefix) ? prefix : null;
        this.next = null;
        this.loading = false;
        this.stale = true;
        if (this.prefix === null) {
            this.rooms = [];
            this.render();
            return;
        }
        this.refresh();
    }

    /**
     * Reads the first page again (every few seconds, and for a new search). Rooms loaded beyond
     * it stay as they were until they are scrolled to again.
     */
    async refresh() {
        const generation = this.generation;
        if (this.prefix === null) return;
        try {
            const page = await listRooms({ prefix: this.prefix });
            if (generation !== this.generation) return;
            const last = page.rooms.at(-1)?.name;
            const tail = !this.stale && page.next && last ? this.rooms.filter((room) => room.name > last) : [];
            if (!page.next || tail.length === 0) this.next = page.next;
            this.rooms = [...page.rooms, ...tail];
            this.stale = false;
            this.#mergeLive();
        } catch {
            // keep the last list; the next refresh may work
        }
        this.render();
    }

    /** The next page, if there is one and none is on its way. */
    async loadMore() {
        if (!this.next || this.loading || this.stale) return;
        const generation = this.generation;
        this.loading = true;
        this.render();
        try {
            const page = await listRooms({ next: this.next });
            if (generation !== this.generation) return;
            const listed = new Set(this.rooms.map((room) => room.name));
            this.rooms = [...this.rooms, ...page.rooms.filter((room) => !listed.has(room.name))];
            this.next = page.next;
            this.#mergeLive();
        } catch {
            // "More rooms" stays: pressing it, or scrolling to it again, tries again
        } finally {
            if (generation === this.generation) {
                this.loading = false;
                this.render();
                // still at the end of the list (a short page): the observer will not say so again
                if (this.moreVisible && this.next) setTimeout(() => this.loadMore(), 0);
            }
        }
    }

    /** A room's online count from a JOIN or LEAVE this tab saw. */
    updateCount(name, online) {
        if (!Number.isInteger(online)) return;
        const summary = this.rooms.find((room) => room.name === name);
        if (summary) summary.online = online;
        else if (this.#covers(name)) this.#insert({ name, online, messages: 0, lastMessageAt: null });
        this.render();
    }

    render() {
        renderDirectory($('room-directory'), this.rooms, this.joinedNames(), { join: (name) => this.join(name) });
        const empty = $('directory-empty');
        empty.hidden = this.rooms.length > 0;
        if (this.prefix === null) {
            setText(empty, 'No room name starts like that: names use a–z, 0–9, _ and -, starting with a letter or digit.');
        } else if (this.prefix !== '') {
            setText(empty, `No rooms start with “${this.prefix}”.`);
        } else {
            setText(empty, 'No rooms yet: name one above.');
        }
        const more = $('directory-more');
        more.hidden = !this.next;
        more.disabled = this.loading;
        setText(more, this.loading ? 'Loading…' : 'More rooms');
        $('room-directory').setAttribute('aria-busy', String(this.loading));
    }

    /** Whether `name` belongs in the listed part of the directory. */
    #covers(name) {
        if (this.prefix === null || !name.startsWith(this.prefix)) return false;
        const last = this.rooms.at(-1)?.name;
        return !this.next || (last !== undefined && name < last);
    }

    #insert(summary) {
        this.rooms = [...this.rooms, summary].sort((a, b) => (a.name < b.name ? -1 : 1));
    }

    /** The live online lists of our rooms are newer than what the server counted then. */
    #mergeLive() {
        for (const [name, online] of this.liveCounts()) {
            const summary = this.rooms.find((room) => room.name === name);
            if (summary) summary.online = online;
            else if (this.#covers(name)) this.#insert({ name, online, messages: 0, lastMessageAt: null });
        }
    }
}
