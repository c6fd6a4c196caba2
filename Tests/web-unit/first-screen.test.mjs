// The page's first screen asks for every module at once (issue 24, item 7): index.html
// preloads each module under js/ and the configuration, so nothing waits for an import
// to be found before it is fetched. A module added without its preload fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const PUBLIC = new URL('../../Sources/UIService/Public/', import.meta.url).pathname;
const html = readFileSync(join(PUBLIC, 'index.html'), 'utf8');

/** @param {string} dir @returns {string[]} */
const modules = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory()
  ? modules(join(dir, entry.name)) : entry.name.endsWith('.js') ? [`/${relative(PUBLIC, join(dir, entry.name))}`] : []));

test('index.html preloads every module of the page, and nothing that is not one', () => {
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]).sort();
  assert.deepEqual(preloaded, modules(join(PUBLIC, 'js')).sort());
});

test('the configuration is preloaded the way main.js fetches it', () => {
  assert.match(html, /<link rel="preload" href="\/config.json" as="fetch" crossorigin="anonymous">/);
  assert.match(readFileSync(join(PUBLIC, 'js', 'main.js'), 'utf8'), /fetch\('\/config.json'\)/);
});
