// The contract's name and message rules (section 1), checked before anything is sent.

export const MAX_MESSAGE_LENGTH = 2000;          // chat.message.max-length (code points)
export const COUNTER_FROM = MAX_MESSAGE_LENGTH - 200;
const ROOM_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const NICKNAME_PATTERN = /^[\p{L}\p{N}_-]{1,32}$/u;
const CLIENT_ID_BYTES = 16;
// Java's Character.isWhitespace, which String.strip() uses (no-break spaces are not whitespace)
const JAVA_SPACE = '[\\t\\n\\u000B\\f\\r\\u001C-\\u001F \\u1680\\u2000-\\u2006\\u2008-\\u200A\\u2028\\u2029\\u205F\\u3000]';
const STRIP = new RegExp(`^${JAVA_SPACE}+|${JAVA_SPACE}+$`, 'g');

export function codePoints(text) {
    let count = 0;
    for (const _ of text) count++;
    return count;
}

/** The text as the server stores it: surrounding whitespace stripped the way Java's strip() does. */
export function stripText(text) {
    return text.replace(STRIP, '');
}

/** Whether a room name could start with `prefix` (every start of a room name is one itself). */
export function isRoomPrefix(prefix) {
    return ROOM_PATTERN.test(prefix);
}

/** null when the room name is valid, otherwise what is wrong with it, in words. */
export function roomProblem(name) {
    if (name === '') return 'Type a room name.';
    if (ROOM_PATTERN.test(name)) return null;
    if (codePoints(name) > 32) return 'Room names are at most 32 characters.';
    if (/[A-Z]/.test(name) && ROOM_PATTERN.test(name.toLowerCase())) {
        return `Room names are lowercase: try “${name.toLowerCase()}”.`;
    }
    if (/^[_-]/.test(name)) return 'A room name starts with a letter or a digit.';
    return 'Room names use only a–z, 0–9, _ and - (no spaces or capitals).';
}

export function nicknameProblem(name) {
    if (name === '') return 'Type a nickname.';
    if (NICKNAME_PATTERN.test(name)) return null;
    if (codePoints(name) > 32) return 'A nickname is at most 32 characters.';
    return 'A nickname uses only letters, digits, _ and - (no spaces).';
}

/** null when the (stripped) text can be sent, else 'empty' or 'too-long'. */
export function messageProblem(stripped) {
    if (stripped === '') return 'empty';
    if (codePoints(stripped) > MAX_MESSAGE_LENGTH) return 'too-long';
    return null;
}

/** Identity ignores case, the Unicode way (straße = STRASSE). */
export function foldName(name) {
    return name.toUpperCase().toLowerCase();
}

export function sameName(a, b) {
    return a != null && b != null && foldName(a) === foldName(b);
}

/** A fresh clientId: 32 hex characters (the contract allows 1–64 of A-Za-z0-9_-). */
export function newClientId() {
    const bytes = crypto.getRandomValues(new Uint8Array(CLIENT_ID_BYTES));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
