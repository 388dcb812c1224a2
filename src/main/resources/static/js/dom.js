// Small DOM helpers. User text only ever reaches the page through textContent / text nodes.

const ANNOUNCE_KEEP = 5;
const TIME_FORMAT = { hour: '2-digit', minute: '2-digit' };
const DAY_FORMAT = { weekday: 'short', day: 'numeric', month: 'short' };
const FULL_FORMAT = { dateStyle: 'full', timeStyle: 'medium' };
const AVATAR_HUES = [4, 24, 40, 88, 140, 168, 192, 212, 236, 262, 288, 320];

export const $ = (id) => document.getElementById(id);

/**
 * Creates an element. options: className, text (set as textContent), attrs, dataset, on (listeners).
 * Children may be nodes or strings (strings become text nodes, never markup).
 */
export function el(tag, options = {}, ...children) {
    const node = document.createElement(tag);
    if (options.className) node.className = options.className;
    if (options.text != null) node.textContent = String(options.text);
    for (const [name, value] of Object.entries(options.attrs ?? {})) {
        if (value === true) node.setAttribute(name, '');
        else if (value != null && value !== false) node.setAttribute(name, String(value));
    }
    for (const [name, value] of Object.entries(options.dataset ?? {})) node.dataset[name] = String(value);
    for (const [event, listener] of Object.entries(options.on ?? {})) node.addEventListener(event, listener);
    for (const child of children) if (child != null) node.append(child);
    return node;
}

export function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
}

/** "14:03" today, "Mon 3 Nov 14:03" before: the reader's local time. */
export function formatTime(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return '';
    const time = date.toLocaleTimeString([], TIME_FORMAT);
    const now = new Date();
    if (date.toDateString() === now.toDateString()) return time;
    return `${date.toLocaleDateString([], DAY_FORMAT)} ${time}`;
}

export function formatFullTime(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? '' : date.toLocaleString([], FULL_FORMAT);
}

/** Reads text out politely to screen readers (the #announcer live region). */
export function announce(text) {
    const region = $('announcer');
    if (!region) return;
    region.append(el('p', { text }));
    while (region.childElementCount > ANNOUNCE_KEEP) region.firstElementChild.remove();
}

/** A stable hue for a nickname (FNV-1a over its code points), so each person keeps a colour. */
export function hueOf(name) {
    let hash = 0x811c9dc5;
    for (const ch of name.toLowerCase()) hash = Math.imul(hash ^ ch.codePointAt(0), 0x01000193) >>> 0;
    return AVATAR_HUES[hash % AVATAR_HUES.length];
}

export function avatar(name, className = 'avatar') {
    const initial = [...name][0]?.toUpperCase() ?? '?';
    const node = el('span', { className, text: initial, attrs: { 'aria-hidden': 'true' } });
    node.style.setProperty('--hue', String(hueOf(name)));
    return node;
}
