// @ts-check
// The list of people offered while an @name is typed in the composer: the
// room's members, by display name and username, best match first. ↑/↓ move,
// Enter or Tab inserts the username, Esc closes; a click inserts too. The
// message box stays focused throughout (the list is its aria-controls, the
// option in hand its aria-activedescendant).

import { h, avatar, replaceChildren } from '../dom.js';
import { insertMention, matchPeople, mentionAt } from '../mentions.js';

/** @typedef {{ id: string, username: string, displayName?: string, avatarUrl?: string|null }} Person */

export class MentionPicker {
  /**
   * @param {HTMLTextAreaElement} input the message box
   * @param {() => Person[]} people who may be mentioned here now
   * @param {() => void} changed called after a mention is inserted (the draft is saved)
   */
  constructor(input, people, changed) {
    this.input = input;
    this.people = people;
    this.changed = changed;
    /** @type {Person[]} */
    this.matches = [];
    this.active = 0;
    /** @type {{ start: number, query: string } | null} */
    this.typed = null;
    this.element = h('ul', { id: 'mention-list', className: 'mention-list', role: 'listbox', 'aria-label': 'People to mention', hidden: true });
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', 'mention-list');
    for (const type of ['input', 'click', 'keyup']) input.addEventListener(type, (event) => {
      if (type === 'keyup' && ['ArrowUp', 'ArrowDown', 'Enter', 'Tab', 'Escape'].includes(/** @type {KeyboardEvent} */ (event).key)) return;
      this.update();
    });
    input.addEventListener('blur', () => this.close());
  }

  get open() { return !this.element.hidden; }

  /** Looks at what is typed before the caret: offers the people it matches, or closes. */
  update() {
    const typed = this.input.selectionStart === this.input.selectionEnd ? mentionAt(this.input.value, this.input.selectionStart) : null;
    const matches = typed ? matchPeople(this.people(), typed.query) : [];
    if (!typed || !matches.length) { this.close(); return; }
    const same = this.typed?.query === typed.query;
    this.typed = typed;
    this.matches = matches;
    if (!same) this.active = 0;
    this.render();
  }

  close() {
    this.typed = null;
    this.matches = [];
    this.element.hidden = true;
    this.input.removeAttribute('aria-activedescendant');
  }

  render() {
    replaceChildren(this.element, this.matches.map((person, index) => h('li', {
      id: `mention-option-${index}`, className: `mention-option${index === this.active ? ' active' : ''}`, role: 'option',
      'aria-selected': index === this.active ? 'true' : 'false', dataset: { username: person.username },
      // Not mousedown's default: the box keeps the focus (and the caret) while one picks.
      onMousedown: (/** @type {Event} */ event) => event.preventDefault(),
      onClick: () => this.choose(person),
    },
    avatar(person.displayName || person.username, person.avatarUrl ?? null, 'avatar small'),
    h('span', { className: 'mention-name' }, person.displayName || person.username),
    h('span', { className: 'mention-handle' }, `@${person.username}`))));
    this.element.hidden = false;
    this.input.setAttribute('aria-activedescendant', `mention-option-${this.active}`);
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

  /** @param {Person} person */
  choose(person) {
    if (!this.typed || !person) return;
    const done = insertMention(this.input.value, this.typed.start, this.input.selectionStart, person.username);
    this.input.value = done.text;
    this.input.setSelectionRange(done.caret, done.caret);
    this.close();
    this.input.focus();
    this.changed();
  }
}
