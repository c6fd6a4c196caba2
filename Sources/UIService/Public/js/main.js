// @ts-check
// Starts the page: the sign-in forms when there is no session, otherwise
// the chat screen with its store and live connection.

import { Api, ApiError } from './api.js';
import { OidcClient } from './oidc.js';
import { ChatSocket } from './socket.js';
import { ChatStore } from './store.js';
import { renderAuth } from './views/auth.js';
import { ChatScreen } from './views/chat.js';
import { h, replaceChildren } from './dom.js';

const root = document.getElementById('app');
const banner = document.getElementById('banner');
const config = await fetch('/config.json').then((response) => response.json()).catch(() => ({ auth: { mode: 'local' } }));
const api = new Api(config.auth?.mode === 'oidc' ? new OidcClient(config.auth) : null);
let session = null;
let notice = '';

function showBanner(text) {
  banner.textContent = text || '';
  banner.hidden = !text;
}

api.addEventListener('reachability', (/** @type {CustomEvent} */ event) => {
  if (event.detail) { if (banner.dataset.kind === 'api') { showBanner(''); delete banner.dataset.kind; } }
  else { banner.dataset.kind = 'api'; showBanner('MicroChat cannot reach its servers right now. Retrying in the background…'); }
});
api.addEventListener('signedout', () => { stopSession(); start(); });

function stopSession() {
  session?.socket.stop();
  session = null;
}

async function startChat() {
  notice = ''; // said until the next sign-in
  const store = new ChatStore(api);
  store.limits = { maxUploadBytes: config.maxUploadBytes || 25 * 1024 * 1024, maxMessageLength: config.maxMessageLength || 4000 };
  const socket = new ChatSocket(api, () => store.positions());
  session = { store, socket };
  replaceChildren(root, h('p', { className: 'loading', role: 'status' }, 'Loading your conversations…'));
  for (let attempt = 0; ; attempt += 1) {
    try {
      // The room the address names loads with everything else (one round trip, not one more after).
      const named = /^#room\/([0-9A-Fa-f-]{36})$/.exec(location.hash)?.[1] ?? null;
      await store.load(named);
      break;
    } catch (error) {
      if (session?.store !== store) return; // signed out meanwhile
      if (!(error instanceof ApiError) || !error.transient) { stopSession(); start(); return; }
      await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** attempt)));
    }
  }
  const screen = new ChatScreen(root, store, socket, async (/** @type {string} */ said = '') => {
    stopSession();
    await api.logout();
    notice = said;
    start();
  }, Boolean(api.oidc));
  socket.addEventListener('event', (/** @type {CustomEvent} */ event) => {
    store.apply(event.detail, { visible: document.visibilityState === 'visible' }).catch((error) => console.warn('event not applied', error));
  });
  // Live messages continue a room's window only while the connection holds.
  socket.addEventListener('disconnected', () => store.lostTouch());
  let connectedBefore = false;
  socket.addEventListener('ready', () => {
    store.refreshRooms().catch(() => {});
    store.refreshInvitations().catch(() => {}); // any sent or withdrawn while the page was away
    store.refreshSaved().catch(() => {}); // saved or unsaved on another page meanwhile
    store.refreshThreads().catch(() => {}); // the threads I follow, and their unread replies
    // The open room's pins were read when it opened; after a reconnect, they may have changed meanwhile.
    if (connectedBefore && store.activeRoomId) store.loadPins(store.activeRoomId).catch(() => {});
    connectedBefore = true;
    store.retryFailed();
  });
  window.addEventListener('online', () => socket.reconnectNow());
  socket.start();
  /** @type {any} */ (window).microchat = { store, socket, screen };
}

function start() {
  if (api.signedIn) { startChat(); return; }
  renderAuth(root, api, () => startChat(), notice);
}

if (api.oidc?.isCallback()) {
  try {
    await api.completeOidcLogin();
  } catch (error) {
    notice = error.message;
  }
}
start();
