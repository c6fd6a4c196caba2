// The emoji picker's rules (js/emoji.js) against the real data (emoji.json from Unicode 15.0 and CLDR 41).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RECENT, RecentEmoji, searchEmoji, shortcodeAt, withTone } from '../../Sources/UIService/Public/js/emoji.js';

const data = JSON.parse(readFileSync(new URL('../../Sources/UIService/Public/emoji.json', import.meta.url), 'utf8'));

test('the data holds every group but components, and each emoji once', () => {
  assert.deepEqual(data.groups.map((g) => g.name), ['Smileys & Emotion', 'People & Body', 'Animals & Nature', 'Food & Drink',
    'Travel & Places', 'Activities', 'Objects', 'Symbols', 'Flags']);
  const all = data.groups.flatMap((g) => g.emoji.map((e) => e[0]));
  assert.ok(all.length > 1800, `${all.length} emoji`);
  assert.equal(new Set(all).size, all.length);
  assert.ok(all.includes('👍') && all.includes('🦄') && all.includes('🇫🇷'));
});

test('search by name, shortcode and keyword, best first', () => {
  const chars = (query) => searchEmoji(data.groups, query).map((e) => e[0]);
  assert.equal(chars('thumbs up')[0], '👍');
  assert.equal(chars(':thumbs_up:')[0], '👍');
  assert.equal(chars('grinning face')[0], '😀');
  assert.ok(chars('unicorn').includes('🦄'));
  assert.ok(chars('laugh').includes('😂'), 'a CLDR keyword finds it');
  assert.deepEqual(chars(''), []);
  assert.deepEqual(chars('zzzzqq'), []);
  assert.ok(searchEmoji(data.groups, 'face', 10).length === 10);
});

test('skin tones where Unicode defines them', () => {
  const wave = data.groups.flatMap((g) => g.emoji).find((e) => e[0] === '👋');
  assert.equal(withTone(wave, 0), '👋');
  assert.equal(withTone(wave, 3), '👋🏽');
  const unicorn = data.groups.flatMap((g) => g.emoji).find((e) => e[0] === '🦄');
  assert.equal(withTone(unicorn, 3), '🦄', 'no tones for a unicorn');
});

test('a :shortcode at the caret, from two characters on', () => {
  assert.deepEqual(shortcodeAt('nice :thu', 9), { start: 5, query: 'thu' });
  assert.equal(shortcodeAt('nice :t', 7), null);
  assert.equal(shortcodeAt('at 10:30', 8), null, 'a time is no shortcode');
  assert.equal(shortcodeAt('http://x', 8), null);
});

test('recent emoji: newest first, once each, at most RECENT, and a broken store is no error', () => {
  const store = new Map();
  const storage = /** @type {any} */ ({ getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) });
  const recent = new RecentEmoji(storage);
  recent.use('👍'); recent.use('🎉'); recent.use('👍');
  assert.deepEqual(recent.list(), ['👍', '🎉']);
  for (let i = 0; i < 40; i += 1) recent.use(String.fromCodePoint(0x1f600 + i));
  assert.equal(recent.list().length, RECENT);
  store.set('microchat.emoji.recent', 'not json');
  assert.deepEqual(recent.list(), []);
  assert.deepEqual(new RecentEmoji(null).list(), []);
});
