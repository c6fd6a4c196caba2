// @mention completion's rules (js/mentions.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MENTION_CHOICES, insertMention, matchPeople, mentionAt } from '../../Sources/UIService/Public/js/mentions.js';

test('the @word at the caret is found where a mention can start', () => {
  assert.deepEqual(mentionAt('hi @an', 6), { start: 3, query: 'an' });
  assert.deepEqual(mentionAt('@', 1), { start: 0, query: '' });
  assert.deepEqual(mentionAt('(@bo', 4), { start: 1, query: 'bo' });
  assert.deepEqual(mentionAt('hi @an and more', 6), { start: 3, query: 'an' }, 'the caret, not the end of the text');
  assert.equal(mentionAt('mail me at ann@example.com', 26), null, 'inside an address');
  assert.equal(mentionAt('hi @ann there', 13), null, 'a finished word before the caret');
  assert.equal(mentionAt('no at sign', 10), null);
  assert.deepEqual(mentionAt('héllo @Zoë', 10), { start: 6, query: 'Zoë' });
});

test('people match by username first, then a word of their name, then anywhere', () => {
  const people = [
    { username: 'bob', displayName: 'Robert Annand' },
    { username: 'annie', displayName: 'Annie Hall' },
    { username: 'joann', displayName: 'Jo' },
    { username: 'zed', displayName: 'Zed' },
    { username: 'anna', displayName: 'Anna Berg' },
  ];
  assert.deepEqual(matchPeople(people, 'ann').map((p) => p.username), ['anna', 'annie', 'bob', 'joann']);
  assert.deepEqual(matchPeople(people, 'ANN').map((p) => p.username), ['anna', 'annie', 'bob', 'joann'], 'case does not matter');
  assert.deepEqual(matchPeople(people, 'berg').map((p) => p.username), ['anna']);
  assert.deepEqual(matchPeople(people, 'xyz'), []);
  assert.equal(matchPeople(people, '').length, 5, 'an @ alone offers everyone');
  const many = Array.from({ length: 20 }, (_, i) => ({ username: `user${i}`, displayName: `User ${i}` }));
  assert.equal(matchPeople(many, 'user').length, MENTION_CHOICES);
});

test('choosing puts the username in place of what was typed, with a space after unless one or punctuation follows', () => {
  assert.deepEqual(insertMention('hi @an', 3, 6, 'anna'), { text: 'hi @anna ', caret: 9 });
  assert.deepEqual(insertMention('hi @an, see', 3, 6, 'anna'), { text: 'hi @anna, see', caret: 8 });
  assert.deepEqual(insertMention('@ there', 0, 1, 'bob'), { text: '@bob there', caret: 5 });
});
