// @ts-check
// The sidebar's search: full-text search over one's conversations, and the
// list of messages that mention one. A result opens its conversation at the
// message, with the history around it loaded.

import { h, formatTime, replaceChildren } from '../dom.js';
import { plainText } from '../format.js';

export class SearchPanel {
  constructor(store, onJump) {
    this.store = store;
    this.onJump = onJump;
    /** @type {(() => void) | null} called when the results open */
    this.onOpen = null;
    /** @type {(() => void) | null} called when they close */
    this.onClose = null;
    this.input = h('input', { type: 'search', id: 'search-input', placeholder: 'Search messages', 'aria-label': 'Search messages', maxlength: '200' });
    this.results = h('ul', { id: 'search-results', className: 'search-results', 'aria-label': 'Search results', hidden: true });
    this.status = h('p', { id: 'search-status', className: 'search-status', role: 'status', 'aria-live': 'polite' });
    this.closeButton = h('button', { type: 'button', id: 'search-close', className: 'secondary', hidden: true, onClick: () => this.close() }, 'Close');
    this.mentionsButton = h('button', { type: 'button', id: 'mentions-button', className: 'secondary', onClick: () => this.showMentions() }, 'Mentions');
    this.savedButton = h('button', { type: 'button', id: 'saved-button', className: 'secondary', onClick: () => this.showSaved() }, 'Saved');
    this.threadsButton = h('button', { type: 'button', id: 'threads-button', className: 'secondary', onClick: () => this.showThreads() }, 'Threads');
    /** Whether the results are my saved messages (they follow saves made meanwhile). */
    this.showingSaved = false;
    this.form = h('form', { id: 'search-form', className: 'search-form', role: 'search' },
      this.input, h('button', { type: 'submit', id: 'search-button', className: 'secondary' }, 'Search'));
    this.form.addEventListener('submit', (event) => { event.preventDefault(); this.search(); });

    /** The row of lists under the search box (others add theirs). */
    this.lists = h('div', { className: 'search-lists', role: 'group', 'aria-label': 'Lists' }, this.mentionsButton, this.savedButton, this.threadsButton);
    this.element = h('div', { className: 'search-panel' }, this.form, this.lists,
      h('div', { className: 'search-heading' }, this.status, this.closeButton), this.results);
    // Esc anywhere in the search (its box, a result) closes the results and returns to the box.
    this.element.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || (!this.open && !this.input.value)) return;
      event.preventDefault();
      this.close();
      this.input.focus();
    });
  }

  get open() { return !this.results.hidden; }

  close() {
    this.element.classList.remove('open');
    this.results.hidden = true;
    this.closeButton.hidden = true;
    this.status.textContent = '';
    this.input.value = '';
    this.onClose?.();
  }

  async search(cursor = null) {
    const text = this.input.value.trim();
    if (!text) { this.close(); return; }
    this.status.textContent = 'Searching…';
    try {
      const answer = await this.store.search(text, { cursor });
      this.show(answer.results.map((hit) => ({ message: hit.message, snippet: hit.snippet, highlights: hit.highlights })), cursor !== null,
        answer.nextCursor ? () => this.search(answer.nextCursor) : null);
      if (!cursor) this.status.textContent = answer.results.length ? `Messages matching “${text}”` : `No messages match “${text}”.`;
    } catch (error) {
      this.status.textContent = `Search failed: ${error.message}`;
    }
  }

  /** My saved messages, newest save first (the store keeps them: no request). */
  showSaved() {
    const saved = this.store.marks.savedList();
    this.show(saved.map(({ message }) => ({ message, snippet: plainText(message.content || ''), highlights: [] })), false, null);
    this.showingSaved = true;
    this.status.textContent = saved.length ? 'Your saved messages' : 'Nothing saved yet. Save a message from its actions to find it here.';
  }

  /** The threads I follow, newest reply first, each with the replies I have not read. */
  async showThreads() {
    this.status.textContent = 'Loading threads…';
    try {
      await this.store.refreshThreads();
      const roots = [...this.store.followedThreads.keys()].map((id) => this.store.threadRoot(id)).filter(Boolean);
      this.show(roots.map((message) => {
        const unread = this.store.followedThreads.get(message.id)?.unreadCount || 0;
        const replies = message.thread?.replyCount || 0;
        // Opened from here, the conversation shows the thread too.
        return { message: { ...message, openThread: true }, snippet: `${plainText(message.content || '')} — ${replies} ${replies === 1 ? 'reply' : 'replies'}${unread ? `, ${unread} unread` : ''}`,
          highlights: [] };
      }), false, null);
      this.status.textContent = roots.length ? 'Threads you follow' : 'You follow no threads yet: reply in one, or follow it.';
    } catch (error) {
      this.status.textContent = `Could not load threads: ${error.message}`;
    }
  }

  /** Saves changed (here or on another page): an open saved list follows. */
  savedChanged() { if (this.open && this.showingSaved) this.showSaved(); }

  async showMentions() {
    this.status.textContent = 'Loading mentions…';
    try {
      const answer = await this.store.mentions();
      this.show(answer.messages.map((message) => ({ message, snippet: plainText(message.content || ''), highlights: [] })), false, null);
      this.status.textContent = answer.messages.length ? 'Messages that mention you' : 'Nobody has mentioned you yet.';
    } catch (error) {
      this.status.textContent = `Could not load mentions: ${error.message}`;
    }
  }

  show(hits, append, more) {
    this.showingSaved = false;
    this.element.classList.add('open');
    this.results.hidden = false;
    this.closeButton.hidden = false;
    this.onOpen?.();
    const items = hits.map(({ message, snippet, highlights }) => {
      const room = this.store.rooms.get(message.roomId);
      return h('li', {},
        h('button', { type: 'button', className: 'search-hit', dataset: { messageId: message.id, roomId: message.roomId },
          onClick: () => this.onJump(message) },
        h('span', { className: 'room-line' },
          h('span', { className: 'hit-room' }, room ? this.store.roomTitle(room) : 'Conversation'),
          h('time', { className: 'room-time', datetime: message.createdAt }, formatTime(message.createdAt))),
        h('span', { className: 'hit-sender' }, this.store.displayName(message.senderId)),
        h('span', { className: 'hit-snippet' }, marked(snippet, highlights))));
    });
    this.results.querySelector('.more-results')?.remove();
    if (append) this.results.append(...items);
    else replaceChildren(this.results, items);
    if (more) this.results.append(h('li', { className: 'more-results' }, h('button', { type: 'button', className: 'link', onClick: more }, 'More results')));
  }
}

/// The snippet as text nodes, with the matched words in <mark> (never parsed as HTML).
function marked(snippet, highlights) {
  const nodes = [];
  let at = 0;
  for (const [start, end] of highlights) {
    if (start < at) continue;
    if (start > at) nodes.push(snippet.slice(at, start));
    nodes.push(h('mark', {}, snippet.slice(start, end)));
    at = end;
  }
  if (at < snippet.length) nodes.push(snippet.slice(at));
  return nodes;
}
