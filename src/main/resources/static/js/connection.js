// One STOMP session over SockJS (contract sections 2 and 3), reconnecting by itself with
// exponential backoff and jitter. SockJS and Stomp are the webjars' globals (see index.html).

const SOCKJS_PATH = '/ws';
export const TRANSPORTS = ['websocket', 'xhr-streaming', 'xhr-polling'];
const HEARTBEAT_MS = 10_000;            // the server offers 10 s / 10 s
const CONNECT_TIMEOUT_MS = 20_000;      // no CONNECTED by then: give up this attempt
const RECEIPT_TIMEOUT_MS = 10_000;      // no RECEIPT by then: go on without it
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
const COUNTDOWN_TICK_MS = 1_000;
// close status of a server that is shutting down for a restart or deploy: reconnect at once
const SERVICE_RESTART = 1012;
// STOMP ERROR messages after which retrying with the same credentials is pointless
const FATAL_ERRORS = new Set(['bad credentials', 'invalid nickname']);

/** The transports named by ?transports=a,b on the page URL, or all three. */
export function transportsFromQuery(search) {
    const wanted = new URLSearchParams(search).get('transports');
    if (!wanted) return [...TRANSPORTS];
    const chosen = wanted.split(',').map((t) => t.trim()).filter((t) => TRANSPORTS.includes(t));
    return chosen.length > 0 ? chosen : [...TRANSPORTS];
}

/**
 * States: 'connecting', 'connected', 'reconnecting' (retryAt set), 'offline' (the browser says
 * there is no network), 'stopped'.
 */
export class Connection {
    #generation = 0;
    #attempts = 0;
    #client = null;
    #socket = null;
    #connectTimer = null;
    #retryTimer = null;
    #countdownTimer = null;
    #restarting = false;
    #connectedGeneration = -1;
    #receiptCount = 0;
    #receipts = new Map();              // receipt id -> settles its promise
    #onlineListener = () => this.reconnectNow();
    #offlineListener = () => this.#goOffline();

    constructor({ nickname, token, transports, onConnected, onLost, onFatal, onStatus }) {
        this.nickname = nickname;
        this.token = token;
        this.transports = transports;
        this.onConnected = onConnected;
        this.onLost = onLost;
        this.onFatal = onFatal;
        this.onStatus = onStatus;
        this.state = 'stopped';
        this.transport = null;
        this.retryAt = null;
    }

    get connected() {
        return this.state === 'connected';
    }

    /** The session up now, a number that changes with every (re)connect; -1 when none is. */
    get session() {
        return this.connected ? this.#connectedGeneration : -1;
    }

    start() {
        window.addEventListener('online', this.#onlineListener);
        window.addEventListener('offline', this.#offlineListener);
        this.#open();
    }

    /** Ends the session for good (sign out): DISCONNECT, close, no reconnect. */
    stop() {
        window.removeEventListener('online', this.#onlineListener);
        window.removeEventListener('offline', this.#offlineListener);
        this.#generation++;
        this.#clearTimers();
        const client = this.#client;
        if (client?.connected) {
            try {
                client.disconnect();
            } catch {
                // already closed
            }
        } else {
            this.#closeSocket();
        }
        this.#client = null;
        this.#settleAll();
        this.#setState('stopped');
    }

    /** Skips the rest of the backoff (the "Retry now" button, the browser coming back online). */
    reconnectNow() {
        if (this.state === 'stopped' || this.state === 'connected' || this.state === 'connecting') return;
        clearTimeout(this.#retryTimer);
        this.#open();
    }

    /** Sends a JSON body; false when there is no live session to send it on. */
    send(destination, body) {
        if (!this.connected) return false;
        try {
            this.#client.send(destination, { 'content-type': 'application/json' }, JSON.stringify(body));
            return true;
        } catch {
            return false;
        }
    }

    /**
     * Sends a JSON body with a receipt header. Resolves once the server has handled it, and so
     * every frame sent before it on this session (their subscriptions registered); or when the
     * session ends, or no RECEIPT came within RECEIPT_TIMEOUT_MS: callers go on either way.
     */
    sendConfirmed(destination, body) {
        if (!this.connected) return Promise.resolve();
        const receipt = this.#receipt();
        try {
            this.#client.send(destination, { 'content-type': 'application/json', receipt: receipt.id }, JSON.stringify(body));
        } catch {
            this.#settle(receipt.id);
        }
        return receipt.done;
    }

    /**
     * Subscribes; the handler gets the parsed JSON body. Returns {unsubscribe(), registered} or
     * null; with confirm, registered resolves as sendConfirmed's promise does once the server has
     * registered the subscription (otherwise at once).
     */
    subscribe(destination, handler, { confirm = false } = {}) {
        if (!this.connected) return null;
        const client = this.#client;
        const receipt = confirm ? this.#receipt() : null;
        const subscription = client.subscribe(destination, (frame) => {
            let body;
            try {
                body = JSON.parse(frame.body);
            } catch {
                return;
            }
            handler(body);
        }, receipt ? { receipt: receipt.id } : {});
        return {
            registered: receipt ? receipt.done : Promise.resolve(),
            unsubscribe: () => {
                if (client === this.#client && this.connected) {
                    try {
                        subscription.unsubscribe();
                    } catch {
                        // the socket went away meanwhile
                    }
                }
            },
        };
    }

    #receipt() {
        const id = `r-${++this.#receiptCount}`;
        const done = new Promise((resolve) => {
            const timer = setTimeout(() => this.#settle(id), RECEIPT_TIMEOUT_MS);
            this.#receipts.set(id, () => {
                clearTimeout(timer);
                resolve();
            });
        });
        return { id, done };
    }

    #settle(id) {
        const settle = this.#receipts.get(id);
        this.#receipts.delete(id);
        settle?.();
    }

    #settleAll() {
        for (const id of [...this.#receipts.keys()]) this.#settle(id);
    }

    #open() {
        this.#clearTimers();
        this.#restarting = false;
        if (!navigator.onLine) {
            this.#setState('offline');
            return;
        }
        const generation = ++this.#generation;
        this.#setState('connecting');
        let socket;
        try {
            socket = new SockJS(SOCKJS_PATH, null, { transports: this.transports });
        } catch {
            this.#drop(generation);
            return;
        }
        // stomp.js reports a close without its code: the socket's own close event has it. Only a
        // session that was up reconnects at once: a server that closes every new connection with
        // 1012 meets the usual backoff, not a storm of attempts.
        socket.addEventListener('close', (event) => {
            if (event.code !== SERVICE_RESTART || generation !== this.#connectedGeneration) return;
            if (generation < this.#generation - 1) return;
            this.#restarting = true;
            this.reconnectNow();
        });
        const client = Stomp.over(socket);
        client.debug = null;
        client.heartbeat.outgoing = HEARTBEAT_MS;
        client.heartbeat.incoming = HEARTBEAT_MS;
        client.onreceipt = (frame) => {
            if (generation === this.#generation) this.#settle(frame.headers['receipt-id']);
        };
        this.#socket = socket;
        this.#client = client;
        this.#connectTimer = setTimeout(() => this.#drop(generation), CONNECT_TIMEOUT_MS);
        client.connect({ login: this.nickname, passcode: this.token },
            () => this.#connected(generation, socket),
            (error) => this.#failed(generation, error));
    }

    #connected(generation, socket) {
        if (generation !== this.#generation) return;
        clearTimeout(this.#connectTimer);
        this.#attempts = 0;
        this.#restarting = false;
        this.#connectedGeneration = generation;
        this.transport = socket.transport ?? null;
        this.#setState('connected');
        this.onConnected(this);
    }

    /** stomp.js reports an ERROR frame (a frame object) and a closed socket (a string) here. */
    #failed(generation, error) {
        if (generation !== this.#generation) return;
        const message = typeof error === 'object' && error?.command === 'ERROR' ? error.headers?.message : null;
        if (message && FATAL_ERRORS.has(message)) {
            this.stop();
            this.onFatal(message);
            return;
        }
        this.#drop(generation);
    }

    #drop(generation) {
        if (generation !== this.#generation) return;
        this.#generation++; // late callbacks of this socket are ignored from now on
        this.#settleAll();
        clearTimeout(this.#connectTimer);
        const wasConnected = this.state === 'connected';
        this.#closeSocket();
        this.#client = null;
        this.transport = null;
        if (wasConnected) this.onLost();
        this.#scheduleReconnect();
    }

    #goOffline() {
        if (this.state === 'stopped') return;
        const wasConnected = this.state === 'connected';
        this.#generation++;
        this.#settleAll();
        this.#clearTimers();
        this.#closeSocket();
        this.#client = null;
        this.transport = null;
        if (wasConnected) this.onLost();
        this.#setState('offline');
    }

    #scheduleReconnect() {
        if (this.state === 'stopped') return;
        if (!navigator.onLine) {
            this.#setState('offline');
            return;
        }
        // "equal jitter": half the exponential delay, plus a random part of the other half; none
        // when the server said it restarts (its clients reconnect to the other instances)
        const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.#attempts);
        const delay = this.#restarting ? 0 : Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
        this.#restarting = false;
        this.#attempts++;
        this.retryAt = Date.now() + delay;
        this.#retryTimer = setTimeout(() => this.#open(), delay);
        this.#countdownTimer = setInterval(() => this.onStatus(this), COUNTDOWN_TICK_MS);
        this.#setState('reconnecting');
    }

    #closeSocket() {
        const socket = this.#socket;
        this.#socket = null;
        if (!socket) return;
        try {
            socket.close();
        } catch {
            // never opened
        }
    }

    #clearTimers() {
        clearTimeout(this.#connectTimer);
        clearTimeout(this.#retryTimer);
        clearInterval(this.#countdownTimer);
        this.retryAt = null;
    }

    #setState(state) {
        if (state !== 'reconnecting') clearInterval(this.#countdownTimer);
        if (state !== 'reconnecting') this.retryAt = null;
        this.state = state;
        this.onStatus(this);
    }
}
