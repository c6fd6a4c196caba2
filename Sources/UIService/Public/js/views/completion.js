// @ts-check
// A list of completions for what is being typed at the caret in the message
// box: people after @ (mentionSource), emoji after :shortcode (emojiSource).
// ↑/↓ move, Enter or Tab inserts, Esc closes; a click inserts too. The box
// keeps the focus throughout (the list is its aria-controls, the option in
// hand its aria-activedescendant).

import { h, avatar, replaceChildren } from '../dom.js';
import { insertMention, matchPeople, mentionAt } from '../mentions.js';
import { searchEmoji, shortcodeAt, withTone } from '../emoji.js';

/** @typedef {{ id: string, username: string, displayName?: string, avatarUrl?: string|null }} Person */

/**
 * What a completion list offers: what is typed at the caret and its matches, how each shows,
 * and what choosing one puts in the text.
 * @template Item
 * @typedef {object} CompletionSource
 * @property {string} id the list's element id
 * @property {string} label the list's accessible name
 * @property {(text: string, caret: number) => ({ start: number, query: string, items: Item[] } | null)} find
 * @property {(item: Item) => Array<Node|string|null>} show
 * @property {(item: Item) => string} key a value for the option's data-value
 * @property {(item: Item) => string} text what goes in the box for it
 */

/** Keys that move the caret without typing: what is before it may now be another word. */
const CARET_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown']);

/** @template Item */
export class Completion {
  /**
   * @param {HTMLTextAreaElement} input the message box
   * @param {CompletionSource<Item>} source
   * @param {() => void} changed called after an insertion (the draft is saved)
   */
  constructor(input, source, changed) {
    this.input = input;
    this.source = source;
    this.changed = changed;
    /** @type {Item[]} */
    this.matches = [];
    this.active = 0;
    /** @type {{ start: number, query: string } | null} */
    this.typed = null;
    this.element = h('ul', { id: source.id, className: 'completion-list', role: 'listbox', 'aria-label': source.label, hidden: true });
    // Typing is seen once (input); the caret moved by a click or a key that types nothing, once more.
    input.addEventListener('input', () => this.update());
    input.addEventListener('click', () => this.update());
    input.addEventListener('keyup', (event) => { if (CARET_KEYS.has(event.key)) this.update(); });
    input.addEventListener('blur', () => this.close());
  }

  get open() { return !this.element.hidden; }

  /** Looks at what is typed before the caret: offers what it matches, or closes. */
  update() {
    const found = this.input.selectionStart === this.input.selectionEnd ? this.source.find(this.input.value, this.input.selectionStart) : null;
    if (!found || !found.items.length) { this.close(); return; }
    const same = this.typed?.query === found.query;
    this.typed = { start: found.start, query: found.query };
    this.matches = found.items;
    if (!same) this.active = 0;
    this.render();
  }

  close() {
    const wasOpen = this.open;
    this.typed = null;
    this.matches = [];
    this.element.hidden = true;
    if (wasOpen) {
      this.input.removeAttribute('aria-activedescendant');
      this.input.removeAttribute('aria-controls');
    }
  }

  render() {
    const id = this.source.id;
    replaceChildren(this.element, this.matches.map((item, index) => h('li', {
      id: `${id}-option-${index}`, className: `completion-option${index === this.active ? ' active' : ''}`, role: 'option',
      'aria-selected': index === this.active ? 'true' : 'false', dataset: { value: this.source.key(item) },
      // Not mousedown's default: the box keeps the focus (and the caret) while one picks.
      onMousedown: (/** @type {Event} */ event) => event.preventDefault(),
      onClick: () => this.choose(item),
    }, this.source.show(item))));
    this.element.hidden = false;
    this.input.setAttribute('aria-autocomplete', 'list');
    this.input.setAttribute('aria-controls', id);
    this.input.setAttribute('aria-activedescendant', `${id}-option-${this.active}`);
    this.element.children[this.active]?.scrollIntoView({ block: 'nearest' });
  }

  /**
   * A key in the message box while the list is open: true when the list took it.
   * @param {KeyboardEvent} event
   */
  onKeydown(event) {
    if (!this.open || event.isComposing) return false;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        this.active = (this.active + (event.key === 'ArrowDown' ? 1 : -1) + this.matches.length) % this.matches.length;
        this.render();
        return true;
      case 'Enter':
      case 'Tab':
        this.choose(this.matches[this.active]);
        return true;
      case 'Escape':
        this.close();
        return true;
      default:
        return false;
    }
  }

  /** @param {Item} item */
  choose(item) {
    if (!this.typed || item === undefined) return;
    const done = insertMention(this.input.value, this.typed.start, this.input.selectionStart, this.source.text(item), '');
    this.input.value = done.text;
    this.input.setSelectionRange(done.caret, done.caret);
    this.close();
    this.input.focus();
    this.changed();
  }
}

/**
 * People to mention after @: the room's members, by display name and username.
 * @param {() => Person[]} people
 * @returns {CompletionSource<Person>}
 */
export function mentionSource(people) {
  return {
    id: 'mention-list',
    label: 'People to mention',
    find(text, caret) {
      const typed = mentionAt(text, caret);
      return typed && { ...typed, items: matchPeople(people(), typed.query) };
    },
    show: (person) => [
      avatar(person.displayName || person.username, person.avatarUrl ?? null, 'avatar small'),
      h('span', { className: 'completion-name' }, person.displayName || person.username),
      h('span', { className: 'completion-detail' }, `@${person.username}`)],
    key: (person) => person.username,
    text: (person) => `@${person.username}`,
  };
}

/**
 * Emoji after :shortcode, in the chosen skin tone.
 * @param {() => import('../emoji.js').EmojiGroup[] | null} groups the data, once loaded
 * @param {() => number} tone
 * @returns {CompletionSource<import('../emoji.js').Emoji>}
 */
export function emojiSource(groups, tone) {
  return {
    id: 'emoji-completion-list',
    label: 'Emoji',
    find(text, caret) {
      const typed = shortcodeAt(text, caret);
      const data = typed && groups();
      return typed && data ? { ...typed, items: searchEmoji(data, typed.query, 8) } : null;
    },
    show: (emoji) => [h('span', { className: 'completion-emoji', 'aria-hidden': 'true' }, withTone(emoji, tone())),
      h('span', { className: 'completion-name' }, emoji[1]), h('span', { className: 'completion-detail' }, `:${emoji[2]}:`)],
    key: (emoji) => emoji[2],
    text: (emoji) => withTone(emoji, tone()),
  };
}
