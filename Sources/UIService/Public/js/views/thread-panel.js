// @ts-check
// A thread beside its room (a sheet over it on a phone): the message that
// started it, its replies as they arrive, a composer for replying in the
// thread, Follow / Unfollow, and Esc or × to close. Opening it marks the
// thread read; replies arriving while it is open are read as they come.

import { h, avatar, formatTime, newId, replaceChildren } from '../dom.js';
import { formatMessage } from '../format.js';
import { linkPreviewCard } from './link-preview.js';

/** @typedef {import('../protocol.js').Message} Message */
/** @typedef {import('../store.js').ChatStore} ChatStore */

export class ThreadPanel {
  /** @param {ChatStore} store @param {import('./link-preview.js').LinkPreviews} [previews] the room view's link cards, shared */
  constructor(store, previews) {
    this.store = store;
    this.previews = previews;
    /** @type {{ roomId: string, rootId: string } | null} */
    this.open = null;
    this.following = false;
    this.title = h('h3', { id: 'thread-title' }, 'Thread');
    this.followButton = h('button', { type: 'button', id: 'thread-follow', className: 'secondary', 'aria-pressed': 'false',
      onClick: () => this.toggleFollow() }, 'Follow');
    this.closeButton = h('button', { type: 'button', id: 'thread-close', className: 'icon', 'aria-label': 'Close the thread', onClick: () => this.close() }, '×');
    this.list = h('ol', { id: 'thread-replies', className: 'thread-replies', 'aria-label': 'Replies', 'aria-live': 'polite' });
    this.error = h('p', { id: 'thread-error', className: 'form-error', role: 'alert' });
    this.input = h('textarea', { id: 'thread-input', rows: '2', maxlength: '4000', placeholder: 'Reply in the thread', 'aria-label': 'Reply in the thread' });
    this.form = h('form', { id: 'thread-composer', className: 'thread-composer' }, this.input,
      h('button', { type: 'submit', id: 'thread-send', className: 'primary' }, 'Reply'));
    this.form.addEventListener('submit', (event) => { event.preventDefault(); this.send(); });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) { event.preventDefault(); this.send(); }
    });
    this.element = h('aside', { id: 'thread-panel', className: 'thread-panel', 'aria-labelledby': 'thread-title', hidden: true },
      h('header', { className: 'thread-header' }, this.title, this.followButton, this.closeButton),
      this.list, this.error, this.form);
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !event.defaultPrevented) { event.preventDefault(); this.close(); }
    });
  }

  /**
   * Opens the thread that `root` started.
   * @param {string} roomId
   * @param {Message} root
   */
  async show(roomId, root) {
    this.open = { roomId, rootId: root.id };
    this.element.hidden = false;
    this.error.textContent = '';
    this.render();
    this.input.focus();
    try {
      const page = await this.store.loadThread(roomId, root.id);
      if (this.open?.rootId !== root.id) return;
      this.following = page.following;
      this.render();
      await this.store.markThreadRead(roomId, root.id);
    } catch (error) { this.error.textContent = error.message; }
  }

  close() {
    this.open = null;
    this.element.hidden = true;
    this.onClose?.();
  }

  /** @type {(() => void) | undefined} */
  onClose;

  /** The open thread changed (a reply arrived, a root was edited): drawn again, and read. */
  changed() {
    if (!this.open) return;
    this.render();
    this.store.markThreadRead(this.open.roomId, this.open.rootId).catch(() => {});
  }

  render() {
    if (!this.open) return;
    const { roomId, rootId } = this.open;
    const root = this.store.timeline(roomId).byId.get(rootId) || this.store.threadRoot(rootId);
    const replies = this.store.threadReplies(roomId, rootId);
    this.title.textContent = replies.length ? `Thread · ${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}` : 'Thread';
    this.followButton.textContent = this.following ? 'Unfollow' : 'Follow';
    this.followButton.setAttribute('aria-pressed', this.following ? 'true' : 'false');
    replaceChildren(this.list, [root, ...replies].filter(Boolean).map((message, index) => this.item(/** @type {Message} */ (message), index === 0)));
    this.list.scrollTop = this.list.scrollHeight;
  }

  /**
   * @param {Message} message
   * @param {boolean} isRoot
   */
  item(message, isRoot) {
    const name = this.store.displayName(message.senderId);
    const roomId = this.open?.roomId ?? message.roomId;
    // Asking for the state starts the card's fetch; the room view redraws this panel when it arrives.
    const card = this.previews && this.previews.state(roomId, message) === 'ready'
      ? linkPreviewCard(this.previews, message, message.senderId === this.store.me.id ? () => this.removePreview(roomId, message) : null) : null;
    return h('li', { className: `thread-message${isRoot ? ' thread-root' : ''}`, dataset: { id: message.id } },
      avatar(name, this.store.user(message.senderId)?.avatarUrl, 'avatar small'),
      h('div', { className: 'thread-bubble' },
        h('span', { className: 'message-sender' }, name),
        h('time', { datetime: message.createdAt }, ` ${formatTime(message.createdAt)}`),
        message.deletedAt ? h('p', { className: 'message-content deleted-note' }, 'This message was deleted')
          : h('div', { className: 'message-content' }, formatMessage(message.content || '', () => null)),
        message.deletedAt ? null : card));
  }

  /** The sender takes their reply's link card away. @param {string} roomId @param {Message} message */
  async removePreview(roomId, message) {
    try {
      await this.store.hideLinkPreview(roomId, message.id);
      this.render();
    } catch (error) { this.error.textContent = error.message; }
  }

  async send() {
    const text = /** @type {HTMLTextAreaElement} */ (this.input).value.trim();
    if (!text || !this.open) return;
    this.error.textContent = '';
    const { roomId, rootId } = this.open;
    /** @type {HTMLTextAreaElement} */ (this.input).value = '';
    try {
      await this.store.sendThreadReply(roomId, rootId, text, newId());
      this.following = true;
      this.render();
    } catch (error) {
      /** @type {HTMLTextAreaElement} */ (this.input).value = text;
      this.error.textContent = error.message;
    }
  }

  async toggleFollow() {
    if (!this.open) return;
    try {
      this.following = await this.store.followThread(this.open.roomId, this.open.rootId, !this.following);
      this.render();
    } catch (error) { this.error.textContent = error.message; }
  }
}
