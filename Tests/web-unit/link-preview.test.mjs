// Link cards (js/views/link-preview.js): which messages ask for one, one request per
// message and text, a missing card asked for once, the picture fetched with the card.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkPreviews, mayHavePreview } from '../../Sources/UIService/Public/js/views/link-preview.js';

const message = (fields = {}) => ({ id: 'm1', roomId: 'r1', seq: 1, senderId: 'u1', messageType: 'text', createdAt: '', content: 'see https://example.com/a', linkPreview: true, ...fields });

test('only live text messages with a link whose sender left the card on may have one', () => {
  assert.equal(mayHavePreview(message()), true);
  assert.equal(mayHavePreview(message({ content: 'HTTP://EXAMPLE.COM' })), true);
  assert.equal(mayHavePreview(message({ linkPreview: false })), false);
  assert.equal(mayHavePreview(message({ content: 'no link, example.com' })), false);
  assert.equal(mayHavePreview(message({ deletedAt: '2026-12-05T10:00:00Z' })), false);
  assert.equal(mayHavePreview(message({ messageType: 'image' })), false);
  assert.equal(mayHavePreview(message({ content: null })), false);
  assert.equal(mayHavePreview(message({ content: 'quoted `https://example.com` only' })), false);
  assert.equal(mayHavePreview(message({ content: '```\nhttps://example.com\n```' })), false);
  assert.equal(mayHavePreview(message({ content: '`code` then https://example.com' })), true);
});

function fakeApi(answers) {
  const asked = [];
  return {
    asked,
    async get(path) {
      asked.push(path);
      const answer = answers[path];
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async download(path) { asked.push(path); return new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }); },
  };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

test('a card is asked for once per message and text, and its picture comes with it', async () => {
  const card = { url: 'https://example.com/a', status: 'ok', detail: null, finalUrl: 'https://example.com/a', title: 'A', description: null, siteName: 'Ex',
    image: { url: '/api/rooms/r1/messages/m1/preview/image', contentType: 'image/png', width: 10, height: 10 } };
  const api = fakeApi({ '/api/rooms/r1/messages/m1/preview': card });
  let changes = 0;
  const previews = new LinkPreviews(/** @type {any} */ (api), () => { changes += 1; });
  assert.equal(previews.state('r1', message()), 'loading');
  assert.equal(previews.state('r1', message()), 'loading');
  await settled();
  await settled();
  assert.equal(previews.state('r1', message()), 'ready');
  assert.equal(changes, 1);
  assert.deepEqual(api.asked, ['/api/rooms/r1/messages/m1/preview', '/api/rooms/r1/messages/m1/preview/image']);
  const entry = previews.entry(message());
  assert.equal(entry?.card?.title, 'A');
  assert.match(String(entry?.image), /^blob:/);
  // An edit changes the text: the card is asked for again.
  previews.state('r1', message({ content: 'now https://example.com/b' }));
  assert.equal(api.asked.filter((path) => path.endsWith('/preview')).length, 2);
});

test('a link the server refused (200, status refused) shows nothing and is not asked again', async () => {
  const api = fakeApi({ '/api/rooms/r1/messages/m1/preview': { url: 'http://10.0.0.1/', status: 'refused', detail: 'no', finalUrl: null, title: null, description: null, siteName: null, image: null } });
  let changes = 0;
  const previews = new LinkPreviews(/** @type {any} */ (api), () => { changes += 1; });
  previews.state('r1', message({ content: 'http://10.0.0.1/' }));
  await settled();
  assert.equal(previews.state('r1', message({ content: 'http://10.0.0.1/' })), 'none');
  assert.equal(changes, 0);
  assert.equal(api.asked.length, 1);
});

test('a message the server has no card for is asked once and shows nothing', async () => {
  const refused = Object.assign(new Error('refused'), { status: 422 });
  const api = fakeApi({ '/api/rooms/r1/messages/m1/preview': refused });
  let changes = 0;
  const previews = new LinkPreviews(/** @type {any} */ (api), () => { changes += 1; });
  previews.state('r1', message());
  await settled();
  assert.equal(previews.state('r1', message()), 'none');
  assert.equal(changes, 0);
  assert.equal(api.asked.length, 1);
  assert.equal(previews.state('r1', message({ linkPreview: false, id: 'm2' })), 'none');
  assert.equal(api.asked.length, 1);
});

test('a card the server was too busy for is asked for again a little later; a refusal is not', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const busy = Object.assign(new Error('slow down'), { status: 429 });
  const api = fakeApi({ '/api/rooms/r1/messages/m1/preview': busy, '/api/rooms/r1/messages/m2/preview': Object.assign(new Error('no'), { status: 422 }) });
  let changes = 0;
  const previews = new LinkPreviews(/** @type {any} */ (api), () => { changes += 1; });
  previews.state('r1', message());
  previews.state('r1', message({ id: 'm2' }));
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(previews.state('r1', message()), 'none');
  t.mock.timers.tick(15_000);
  assert.equal(changes, 1);
  assert.equal(previews.state('r1', message()), 'loading');
  assert.equal(previews.state('r1', message({ id: 'm2' })), 'none');
  assert.deepEqual(api.asked, ['/api/rooms/r1/messages/m1/preview', '/api/rooms/r1/messages/m2/preview', '/api/rooms/r1/messages/m1/preview']);
});
