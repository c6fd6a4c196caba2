// @ts-check
// The emoji picker's rules, apart from the page: search by name, shortcode and
// CLDR keywords; skin tones; the most recently used; `:shortcode:` at the
// caret. The data is Unicode's and CLDR's (emoji.json, made by
// scripts/emoji-data.py). Pure (unit tests: Tests/web-unit/emoji.test.mjs).

/**
 * One emoji: [character, name, shortcode, keywords, the five skin-tone forms or null].
 * @typedef {[string, string, string, string, string[]|null]} Emoji
 * @typedef {{ name: string, emoji: Emoji[] }} EmojiGroup
 */

/** How many recently used emoji are kept. */
export const RECENT = 24;

/**
 * The emoji matching every word of `query`, best first: a name or shortcode starting with
 * the query, then a word of the name starting with it, then a keyword, then anything containing it.
 * @param {EmojiGroup[]} groups
 * @param {string} query
 * @param {number} [limit]
 * @returns {Emoji[]}
 */
export function searchEmoji(groups, query, limit = 120) {
  const words = query.toLowerCase().replace(/^:|:$/g, '').split(/[\s_]+/).filter(Boolean);
  if (!words.length) return [];
  const phrase = words.join(' ');
  /** @type {Array<{ emoji: Emoji, rank: number, order: number }>} */
  const found = [];
  let order = 0;
  for (const group of groups) {
    for (const emoji of group.emoji) {
      order += 1;
      const [, name, , keywords] = emoji;
      const text = `${name} ${keywords}`;
      if (!words.every((word) => text.includes(word))) continue;
      const rank = name.startsWith(phrase) ? 0
        : name.split(' ').some((part) => part.startsWith(words[0])) ? 1
          : keywords.split(' ').some((part) => part.startsWith(words[0])) ? 2 : 3;
      found.push({ emoji, rank, order });
    }
  }
  return found.sort((a, b) => a.rank - b.rank || a.order - b.order).slice(0, limit).map((entry) => entry.emoji);
}

/**
 * The form of `emoji` in skin tone `tone` (0: none, 1–5: light to dark) where it has one.
 * @param {Emoji} emoji
 * @param {number} tone
 */
export function withTone(emoji, tone) {
  return tone > 0 && emoji[4] ? emoji[4][tone - 1] : emoji[0];
}

/**
 * The `:shortcode` being typed just before the caret (two characters or more), if any.
 * @param {string} text
 * @param {number} caret
 * @returns {{ start: number, query: string } | null}
 */
export function shortcodeAt(text, caret) {
  const found = /(^|[\s([{"'])(:([a-z0-9_+-]{2,40}))$/i.exec(text.slice(0, caret));
  return found ? { start: caret - found[2].length, query: found[3] } : null;
}

/**
 * Recently used emoji, newest first, kept in local storage.
 */
export class RecentEmoji {
  /** @param {Storage|null} storage @param {string} key */
  constructor(storage, key = 'microchat.emoji.recent') {
    this.storage = storage;
    this.key = key;
  }

  /** @returns {string[]} */
  list() {
    try {
      const value = JSON.parse(this.storage?.getItem(this.key) || '[]');
      return Array.isArray(value) ? value.filter((item) => typeof item === 'string').slice(0, RECENT) : [];
    } catch { return []; }
  }

  /** @param {string} character */
  use(character) {
    const next = [character, ...this.list().filter((item) => item !== character)].slice(0, RECENT);
    try { this.storage?.setItem(this.key, JSON.stringify(next)); } catch { /* storage full or off: recents are a convenience */ }
  }
}
