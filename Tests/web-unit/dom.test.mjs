// Small helpers of js/dom.js that need no document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initials, formatSize } from '../../Sources/UIService/Public/js/dom.js';

test('initials take whole graphemes: emoji with joiners, accented letters', () => {
  assert.equal(initials('Ada Lovelace'), 'AL');
  assert.equal(initials('ömer'), 'Ö');
  assert.equal(initials('👩‍💻 Dev'), '👩‍💻D');
  assert.equal(initials('🇫🇷 Pierre'), '🇫🇷P');
  assert.equal(initials('e\u0301mile zola'), 'E\u0301Z');
  assert.equal(initials(''), '?');
});

test('sizes in words', () => {
  assert.equal(formatSize(1), '1 byte');
  assert.equal(formatSize(2048), '2 KB');
  assert.equal(formatSize(3 * 1024 * 1024), '3.0 MB');
});
