// @ts-check
// The live connection. It connects through ui-service (which picks a
// chat-service replica), tells the server where each room stood when it last
// heard from it (`resume`), and reconnects with growing, jittered back-off
// when the connection drops. A missing pong is treated as a dead connection.
// Each (re)connect first asks for a fresh single-use ticket
// (`POST /api/ws/tickets`) and opens `/api/ws?ticket=…`: the access token
// never goes into a URL, where logs and proxies could keep it.

import { CloseCode, Command, EventType, reconnectsAtOnce } from './protocol.js';

/** @typedef {import('./api.js').Api} Api */

const PING_EVERY_MS = 20_000;
const PONG_WITHIN_MS = 10_000;

export class ChatSocket extends EventTarget {
  /**
   * @param {Api} api
   * @param {() => Record<string, number>} positions each room's last seq, for `resume`
   */
  constructor(api, positions) {
    super();
    this.api = api;
    this.positions = positions; // () => { roomId: lastSeq }
    /** @type {WebSocket|null} */
    this.ws = null;
    this.attempt = 0;
    this.stopped = true;
    this.state = 'offline';
    /** @type {string|null} */
    this.replicaId = null;
    /** @type {{ auth?: ReturnType<typeof setTimeout>, ping?: ReturnType<typeof setInterval>, pong?: ReturnType<typeof setTimeout>, retry?: ReturnType<typeof setTimeout> }} */
    this.timers = {};
    this.connecting = 0; // which #connect is current: one started later (reconnectNow) wins
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.#connect();
  }

  stop() {
    this.stopped = true;
    this.#clearTimers();
    if (this.ws) { this.ws.onclose = null; this.ws.close(CloseCode.NORMAL, 'signed out'); this.ws = null; }
    this.#setState('offline');
  }

  /**
   * Sends a command when connected; returns false when it could not.
   * @param {{ type: string, [key: string]: unknown }} command
   */
  send(command) {
    if (this.ws?.readyState !== WebSocket.OPEN || this.state !== 'online') return false;
    this.ws.send(JSON.stringify(command));
    return true;
  }

  /// Drops the connection now and reconnects at once (used when the network comes back).
  reconnectNow() {
    if (this.stopped) return;
    this.attempt = 0;
    if (this.ws) this.ws.close(CloseCode.RECONNECTING, 'reconnecting');
    else { clearTimeout(this.timers.retry); this.#connect(); }
  }

  async #connect() {
    if (this.stopped) return;
    const current = ++this.connecting;
    this.#setState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let ticket;
    try {
      ticket = await this.#ticket();
    } catch (error) {
      // A 401 was already answered by a token refresh and one more try (Api);
      // anything else waits like a failed connect. Signed out: nothing to retry.
      if (current === this.connecting && this.api.signedIn) this.#scheduleRetry();
      return;
    }
    if (this.stopped || current !== this.connecting) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/ws?ticket=${encodeURIComponent(ticket)}`);
    this.ws = ws;
    // Resume as the socket opens: the server answers it before any live message, so what
    // was missed comes first and then what is new, in seq order.
    ws.onopen = () => ws.send(JSON.stringify({ type: Command.RESUME, rooms: this.positions() }));
    ws.onmessage = (message) => this.#receive(message.data);
    ws.onclose = (close) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.#clearTimers();
      if (this.stopped) return;
      this.dispatchEvent(new CustomEvent('disconnected', { detail: { code: close.code, reason: close.reason } }));
      if (close.code === CloseCode.REFUSED) {
        // The ticket or the session behind it was refused: refresh the token
        // (a revoked session signs out here), then connect with a new ticket.
        this.api.refresh().then(() => this.#scheduleRetry(), () => { if (this.api.signedIn) this.#scheduleRetry(); });
      } else {
        this.#scheduleRetry(reconnectsAtOnce(close.code));
      }
    };
  }

  /// A single-use ticket for the next handshake (valid 30 s, so fetched right before it).
  async #ticket() {
    const answer = await this.api.postEmpty('/api/ws/tickets');
    if (typeof answer?.ticket !== 'string' || !answer.ticket) throw new Error('no ticket in the answer');
    return answer.ticket;
  }

  /** @param {string} raw */
  #receive(raw) {
    let event;
    try { event = JSON.parse(raw); } catch { return; }
    this.#armPong();
    if (event.type === EventType.READY) {
      this.replicaId = event.data?.replicaId || null;
      this.attempt = 0;
      this.#setState('online');
      this.timers.ping = setInterval(() => this.#ping(), PING_EVERY_MS);
      this.#renewBefore(event.data?.expiresAt);
      this.dispatchEvent(new CustomEvent('ready', { detail: event }));
      return;
    }
    if (event.type === EventType.AUTHENTICATED) { this.#renewBefore(event.data?.expiresAt); return; }
    if (event.type === EventType.PONG) return;
    this.dispatchEvent(new CustomEvent('event', { detail: event }));
  }

  #ping() {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify({ type: Command.PING }));
    clearTimeout(this.timers.pong);
    this.timers.pong = setTimeout(() => this.ws?.close(CloseCode.NO_PONG, 'no pong'), PONG_WITHIN_MS);
  }

  #armPong() { clearTimeout(this.timers.pong); }

  /// The server closes the socket when its token expires: a minute before (or
  /// half-way, for short tokens) it gets a fresh one over the socket (`auth`).
  /** @param {string|undefined} expiresAt */
  #renewBefore(expiresAt) {
    clearTimeout(this.timers.auth);
    const at = Date.parse(expiresAt || '');
    if (Number.isNaN(at)) return;
    const left = at - Date.now();
    const delay = Math.max(500, left > 120_000 ? left - 60_000 : left / 2);
    this.timers.auth = setTimeout(async () => {
      try {
        await this.api.refresh();
        const token = await this.api.accessToken();
        if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: Command.AUTH, accessToken: token }));
      } catch {
        // Refresh failed: the server closes at expiry with 4401 and the reconnect path refreshes again.
      }
    }, delay);
  }

  /** @param {boolean} [immediate] */
  #scheduleRetry(immediate = false) {
    if (this.stopped) return;
    const base = immediate && this.attempt === 0 ? 100 : Math.min(15_000, 500 * 2 ** this.attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.attempt += 1;
    this.#setState('reconnecting', delay);
    clearTimeout(this.timers.retry);
    this.timers.retry = setTimeout(() => this.#connect(), delay);
  }

  #clearTimers() {
    clearTimeout(this.timers.auth);
    clearInterval(this.timers.ping);
    clearTimeout(this.timers.pong);
    clearTimeout(this.timers.retry);
  }

  /**
   * @param {string} state
   * @param {number|null} [retryIn]
   */
  #setState(state, retryIn = null) {
    this.state = state;
    if (state !== 'online') this.replicaId = state === 'offline' ? null : this.replicaId;
    this.dispatchEvent(new CustomEvent('state', { detail: { state, retryIn, replicaId: this.replicaId } }));
  }
}
