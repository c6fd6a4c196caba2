// @ts-check
// The card under a message for its first link: the linked page's site, title,
// description and picture, as chat-service fetched them (the browser never talks
// to the linked site; the picture comes from chat-service behind the bearer
// token, shown through an object URL). One request per message and text; a
// message without a card (no link, turned off, refused, unreadable) shows
// nothing. The sender can remove their message's card with ×.

import { h } from '../dom.js';
import { safeHref } from '../format.js';

/** @typedef {import('../protocol.js').Message} Message */
/** @typedef {import('../protocol.js').LinkPreview} LinkPreview */

const LINK = /https?:\/\/[^\s<>"'`]+/i;
const THUMBNAIL = 88;
/// How long a card the server was too busy for (429, 503, no answer) waits before it is asked for again.
const RETRY_MS = 15_000;

/// Whether a message may have a card: a live text message with a link (outside code, as the
/// server looks for it) whose sender left it on.
export function mayHavePreview(/** @type {Message} */ message) {
  if (message.messageType !== 'text' || message.deletedAt || message.linkPreview === false) return false;
  const outsideCode = (message.content || '').replace(/```[\s\S]*?```/g, ' ').replace(/`[^`\n]*`/g, ' ');
  return LINK.test(outsideCode);
}

/// The cards asked for in this page, by message and text (an edit asks again), and their pictures.
export class LinkPreviews {
  /** @param {import('../api.js').Api} api @param {() => void} changed called when a card arrives */
  constructor(api, changed) {
    this.api = api;
    this.changed = changed;
    /** @type {Map<string, { state: 'loading' | 'ready' | 'none', card?: LinkPreview, image?: string }>} */
    this.entries = new Map();
  }

  key(/** @type {Message} */ message) { return `${message.id}\n${message.content}`; }

  /// 'ready', 'loading' or 'none' (and the first ask starts the fetch).
  state(/** @type {string} */ roomId, /** @type {Message} */ message) {
    if (!mayHavePreview(message)) return 'none';
    const key = this.key(message);
    const known = this.entries.get(key);
    if (known) return known.state;
    this.entries.set(key, { state: 'loading' });
    this.load(roomId, message, key);
    return 'loading';
  }

  entry(/** @type {Message} */ message) { return this.entries.get(this.key(message)); }

  async load(roomId, message, key) {
    /** @type {LinkPreview | null} */
    let card = null;
    try {
      card = await this.api.get(`/api/rooms/${roomId}/messages/${message.id}/preview`);
    } catch (error) {
      // Busy or over the limit (or offline): asked again a little later, when the timeline is next drawn.
      if ([0, 429, 503].includes(/** @type {any} */ (error)?.status)) {
        setTimeout(() => { if (this.entries.get(key)?.state === 'none') { this.entries.delete(key); this.changed(); } }, RETRY_MS);
      }
      card = null;
    }
    if (!card || card.status !== 'ok' || (!card.title && !card.description)) {
      this.entries.set(key, { state: 'none' });
      return;
    }
    let image;
    if (card.image) {
      try { image = URL.createObjectURL(await this.api.download(card.image.url)); } catch { image = undefined; }
    }
    this.entries.set(key, { state: 'ready', card, image });
    this.changed();
  }
}

/**
 * The card for a message whose preview is ready (null otherwise).
 * @param {LinkPreviews} previews
 * @param {Message} message
 * @param {(() => void) | null} onRemove the sender's ×, or null for everyone else
 */
export function linkPreviewCard(previews, message, onRemove) {
  const entry = mayHavePreview(message) ? previews.entry(message) : undefined;
  if (!entry || entry.state !== 'ready' || !entry.card) return null;
  const { card, image } = entry;
  const href = safeHref(card.url);
  if (!href) return null;
  const host = new URL(href).hostname;
  let picture = null;
  if (card.image && image) {
    const scale = Math.min(1, THUMBNAIL / card.image.width, THUMBNAIL / card.image.height);
    picture = h('img', { className: 'link-preview-image', src: image, alt: '',
      width: String(Math.max(1, Math.round(card.image.width * scale))), height: String(Math.max(1, Math.round(card.image.height * scale))) });
  }
  const label = card.title || card.description || host;
  return h('div', { className: 'link-preview' },
    h('a', { className: 'link-preview-body', href, target: '_blank', rel: 'noopener noreferrer',
      title: href, 'aria-label': `Link preview: ${label}${host ? ` (${host})` : ''}` },
    picture,
    h('span', { className: 'link-preview-text' },
      // The real host is always shown: a page may call itself anything.
      h('span', { className: 'link-preview-site' }, card.siteName ? `${card.siteName} · ${host}` : host),
      card.title ? h('span', { className: 'link-preview-title' }, card.title) : null,
      card.description ? h('span', { className: 'link-preview-description' }, card.description) : null)),
    onRemove ? h('button', { type: 'button', className: 'icon link-preview-remove', 'aria-label': 'Remove the link preview',
      title: 'Remove the link preview', onClick: onRemove }, '×') : null);
}
