// @ts-check
// The emoji picker, for the message box and for reactions: search (names,
// shortcodes, CLDR keywords), the groups of Unicode's own order with a jump
// to each, skin tones (kept), the recently used, and the arrow keys across
// the grid. A <dialog>: Esc closes it, the focus stays inside.

import { h, replaceChildren } from '../dom.js';
import { openDialog } from './dialogs.js';
import { RecentEmoji, searchEmoji, withTone } from '../emoji.js';

/** @typedef {import('../emoji.js').EmojiGroup} EmojiGroup */
/** @typedef {import('../emoji.js').Emoji} Emoji */

const TONE_KEY = 'microchat.emoji.tone';
const TONE_SWATCHES = ['✋', '✋🏻', '✋🏼', '✋🏽', '✋🏾', '✋🏿'];
const TONE_NAMES = ['no skin tone', 'light skin tone', 'medium-light skin tone', 'medium skin tone', 'medium-dark skin tone', 'dark skin tone'];

/** @type {Promise<EmojiGroup[]> | null} */
let loading = null;
/** @type {EmojiGroup[] | null} */
let loaded = null;

/** The data, fetched once (about 40 KB compressed), when first needed. */
export function emojiGroups() {
  loading ??= fetch('/emoji.json').then((answer) => {
    if (!answer.ok) throw new Error(`The emoji could not be loaded (${answer.status}).`);
    return answer.json();
  }).then((data) => { loaded = data.groups; return data.groups; }).catch((error) => { loading = null; throw error; });
  return loading;
}

/** The data if it has been fetched, else null (and it is asked for). */
export function emojiGroupsNow() {
  if (!loaded) emojiGroups().catch(() => {});
  return loaded;
}

/** The skin tone chosen last (0: none). */
export function chosenTone() {
  const value = Number(globalThis.localStorage?.getItem(TONE_KEY));
  return Number.isInteger(value) && value >= 0 && value <= 5 ? value : 0;
}

/**
 * Opens the picker; `onPick` gets the character chosen (in the chosen tone), and the picker closes.
 * @param {string} title
 * @param {(character: string) => void} onPick
 */
export function openEmojiPicker(title, onPick) {
  const recent = new RecentEmoji(globalThis.localStorage ?? null);
  let tone = chosenTone();
  const search = h('input', { type: 'search', id: 'emoji-search', placeholder: 'Search emoji', 'aria-label': 'Search emoji' });
  const tones = h('div', { className: 'emoji-tones', role: 'group', 'aria-label': 'Skin tone' });
  const nav = h('nav', { className: 'emoji-nav', 'aria-label': 'Emoji groups' });
  const body = h('div', { className: 'emoji-body', id: 'emoji-body' }, h('p', { className: 'hint' }, 'Loading emoji…'));
  const status = h('p', { className: 'visually-hidden', role: 'status', id: 'emoji-status' });
  const dialog = openDialog('emoji-picker', title, h('div', { className: 'emoji-tools' }, search, tones), nav, body, status);
  dialog.classList.add('emoji-picker');
  /** @type {EmojiGroup[]} */
  let groups = [];

  const pick = (/** @type {Emoji} */ emoji) => {
    const character = withTone(emoji, tone);
    recent.use(character);
    dialog.close();
    onPick(character);
  };
  const button = (/** @type {Emoji} */ emoji) => h('button', { type: 'button', className: 'emoji', title: `:${emoji[2]}:`,
    'aria-label': emoji[1], dataset: { emoji: emoji[0] }, onClick: () => pick(emoji) }, withTone(emoji, tone));
  const grid = (/** @type {string} */ label, /** @type {Emoji[]} */ emoji) => h('div', { className: 'emoji-grid', role: 'group', 'aria-label': label },
    emoji.map(button));
  const renderTones = () => replaceChildren(tones, TONE_SWATCHES.map((swatch, index) => h('button', { type: 'button',
    className: 'emoji-tone', 'aria-label': TONE_NAMES[index], 'aria-pressed': index === tone ? 'true' : 'false', title: TONE_NAMES[index],
    onClick: () => { tone = index; globalThis.localStorage?.setItem(TONE_KEY, String(index)); renderTones(); render(); } }, swatch)));
  const render = () => {
    const query = search.value.trim();
    if (query) {
      const found = searchEmoji(groups, query);
      status.textContent = found.length ? `${found.length} emoji found` : 'No emoji found';
      replaceChildren(body, found.length ? grid('Search results', found) : h('p', { className: 'hint', id: 'emoji-none' }, 'No emoji match that.'));
      return;
    }
    const byCharacter = new Map(groups.flatMap((group) => group.emoji.flatMap((emoji) => [emoji[0], ...(emoji[4] || [])].map((c) => [c, emoji]))));
    const used = recent.list().map((character) => byCharacter.get(character)).filter((emoji) => emoji !== undefined);
    const sections = [
      used.length ? { name: 'Recently used', emoji: /** @type {Emoji[]} */ (used) } : null, ...groups].filter((g) => g !== null);
    replaceChildren(body, sections.map((group, index) => h('section', { className: 'emoji-section', id: `emoji-group-${index}`,
      'aria-labelledby': `emoji-group-${index}-title` }, h('h3', { id: `emoji-group-${index}-title` }, group.name), grid(group.name, group.emoji))));
    replaceChildren(nav, sections.map((group, index) => h('button', { type: 'button', className: 'emoji-jump', 'aria-label': group.name, title: group.name,
      onClick: () => body.querySelector(`#emoji-group-${index}`)?.scrollIntoView({ block: 'start' }) }, withTone(group.emoji[0], 0))));
  };
  search.addEventListener('input', render);
  // ↓ from the search goes into the grid; arrows move across it, by rows up and down.
  dialog.addEventListener('keydown', (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    const all = /** @type {HTMLElement[]} */ ([...body.querySelectorAll('button.emoji')]);
    if (target === search && event.key === 'ArrowDown' && all.length) { event.preventDefault(); all[0].focus(); return; }
    if (!target.classList.contains('emoji')) return;
    const index = all.indexOf(target);
    const box = target.getBoundingClientRect();
    const row = (/** @type {number} */ direction) => {
      const rows = all.filter((other) => Math.sign(other.getBoundingClientRect().top - box.top) === direction);
      const nearest = direction > 0 ? rows.filter((o) => o.getBoundingClientRect().top === rows[0]?.getBoundingClientRect().top)
        : rows.filter((o) => o.getBoundingClientRect().top === rows.at(-1)?.getBoundingClientRect().top);
      return nearest.sort((a, b) => Math.abs(a.getBoundingClientRect().left - box.left) - Math.abs(b.getBoundingClientRect().left - box.left))[0];
    };
    /** @type {Record<string, () => HTMLElement | undefined>} */
    const moves = { ArrowRight: () => all[index + 1], ArrowLeft: () => all[index - 1], ArrowDown: () => row(1), ArrowUp: () => row(-1) ?? search,
      Home: () => all[0], End: () => all.at(-1) };
    const next = moves[event.key]?.();
    if (moves[event.key]) { event.preventDefault(); next?.focus(); next?.scrollIntoView({ block: 'nearest' }); }
  });
  renderTones();
  search.focus();
  emojiGroups().then((data) => { groups = data; render(); }).catch((error) => dialog.fail(error));
}
