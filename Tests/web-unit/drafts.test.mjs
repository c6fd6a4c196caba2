// Drafts per room and person (js/store/drafts.js) over a Storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Drafts } from '../../Sources/UIService/Public/js/store/drafts.js';

class MemoryStorage {
  constructor() { this.items = new Map(); }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  setItem(key, value) { this.items.set(key, String(value)); }
  removeItem(key) { this.items.delete(key); }
}

test('a draft is kept per room and survives a new page (a reload)', () => {
  const storage = new MemoryStorage();
  const drafts = new Drafts(storage, 'me');
  drafts.set('r1', 'half a thought');
  drafts.set('r2', 'another');
  const reloaded = new Drafts(storage, 'me');
  assert.equal(reloaded.get('r1'), 'half a thought');
  assert.equal(reloaded.get('r2'), 'another');
  assert.equal(reloaded.get('r3'), '');
});

test('another account on the same browser does not see them', () => {
  const storage = new MemoryStorage();
  new Drafts(storage, 'me').set('r1', 'private words');
  assert.equal(new Drafts(storage, 'someone-else').get('r1'), '');
});

test('a blank draft or a sent message removes it', () => {
  const storage = new MemoryStorage();
  const drafts = new Drafts(storage, 'me');
  drafts.set('r1', 'text');
  drafts.set('r1', '   ');
  assert.equal(storage.items.size, 0);
  drafts.set('r1', 'text');
  drafts.clear('r1');
  assert.equal(drafts.get('r1'), '');
});

test('text is kept as typed, spaces and new lines included', () => {
  const drafts = new Drafts(new MemoryStorage(), 'me');
  drafts.set('r', '  line one\nline two  ');
  assert.equal(drafts.get('r'), '  line one\nline two  ');
});

test('a storage that refuses (full, private mode) still keeps the draft for this page', () => {
  const refusing = { getItem() { throw new Error('denied'); }, setItem() { throw new Error('full'); }, removeItem() { throw new Error('denied'); } };
  const drafts = new Drafts(refusing, 'me');
  drafts.set('r', 'kept anyway');
  assert.equal(drafts.get('r'), 'kept anyway');
  assert.equal(new Drafts(null, 'me').get('r'), '');
});
