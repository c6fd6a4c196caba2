// @ts-check
// @mention completion's rules, apart from the page: what is being typed after
// an @ at the caret, and which people match it, best first. Pure functions
// (unit tests: Tests/web-unit/mentions.test.mjs).

/** How many people the picker offers at once. */
export const MENTION_CHOICES = 8;

/** Letters, digits and the marks a username may hold (the server's rule is stricter; this only finds the word). */
const TYPED = /(^|[\s([{"'])@([\p{L}\p{N}_.-]{0,32})$/u;

/**
 * The @word being typed just before the caret, if any: where its @ is, and what follows it.
 * @param {string} text
 * @param {number} caret
 * @returns {{ start: number, query: string } | null}
 */
export function mentionAt(text, caret) {
  const found = TYPED.exec(text.slice(0, caret));
  if (!found) return null;
  return { start: caret - found[2].length - 1, query: found[2] };
}

/**
 * The people whose username or display name matches `query`, best first: a username that
 * starts with it, then a name with a word that starts with it, then either containing it;
 * alphabetically by display name within each. At most MENTION_CHOICES.
 * @template {{ username: string, displayName?: string }} Person
 * @param {Person[]} people
 * @param {string} query
 * @returns {Person[]}
 */
export function matchPeople(people, query) {
  const q = query.toLocaleLowerCase();
  const rank = (/** @type {Person} */ person) => {
    const username = person.username.toLocaleLowerCase();
    const name = (person.displayName || '').toLocaleLowerCase();
    if (username.startsWith(q)) return 0;
    if (name.split(/\s+/).some((word) => word.startsWith(q))) return 1;
    if (username.includes(q) || name.includes(q)) return 2;
    return -1;
  };
  return people
    .map((person) => ({ person, rank: rank(person) }))
    .filter((entry) => entry.rank >= 0)
    .sort((a, b) => a.rank - b.rank || (a.person.displayName || a.person.username).localeCompare(b.person.displayName || b.person.username))
    .slice(0, MENTION_CHOICES)
    .map((entry) => entry.person);
}

/**
 * The text with what was typed from `start` up to the caret replaced by `prefix` + `value`
 * (`@username`, an emoji), and where the caret goes after it.
 * @param {string} text
 * @param {number} start
 * @param {number} caret
 * @param {string} value
 * @param {string} [prefix]
 */
export function insertMention(text, start, caret, value, prefix = '@') {
  const after = text.slice(caret);
  // A space after it, unless one (or punctuation) already follows.
  const inserted = `${prefix}${value}${/^[\s,.;:!?)\]}]/.test(after) ? '' : ' '}`;
  return { text: text.slice(0, start) + inserted + after, caret: start + inserted.length + (after.startsWith(' ') ? 1 : 0) };
}
