// The page's trace header (js/api.js): every JSON call starts a W3C trace the services continue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traceparent } from '../../Sources/UIService/Public/js/api.js';

test('a traceparent is version 00, a fresh 16-byte trace id and 8-byte span id in lowercase hex, sampled', () => {
  const seen = new Set();
  for (let i = 0; i < 50; i += 1) {
    const header = traceparent();
    assert.match(header, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.notEqual(header.split('-')[1], '0'.repeat(32));
    seen.add(header.split('-')[1]);
  }
  assert.equal(seen.size, 50);
});
