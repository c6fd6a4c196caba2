// The image viewer's geometry (js/zoom.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SCALE, clampView, zoomAbout } from '../../Sources/UIService/Public/js/zoom.js';

const stage = { width: 800, height: 600 };
const fitted = { width: 800, height: 400 }; // a wide picture fitted to the stage's width

test('a fitted picture cannot be panned; a zoomed one only until its edge meets the stage', () => {
  assert.deepEqual(clampView({ scale: 1, x: 50, y: -30 }, fitted, stage), { scale: 1, x: 0, y: 0 });
  // At 2x: 1600 x 800 in 800 x 600, so 400 px of room each side across, 100 up and down.
  assert.deepEqual(clampView({ scale: 2, x: 1000, y: -1000 }, fitted, stage), { scale: 2, x: 400, y: -100 });
  assert.deepEqual(clampView({ scale: 2, x: 120, y: 40 }, fitted, stage), { scale: 2, x: 120, y: 40 });
});

test('the scale stays between fitted and MAX_SCALE', () => {
  assert.equal(clampView({ scale: 0.2, x: 0, y: 0 }, fitted, stage).scale, 1);
  assert.equal(clampView({ scale: 50, x: 0, y: 0 }, fitted, stage).scale, MAX_SCALE);
});

test('zooming about a point keeps what is under it in place', () => {
  const point = { x: 200, y: 50 };
  const view = zoomAbout({ scale: 1, x: 0, y: 0 }, 2, point, fitted, stage);
  // The picture's point under (200, 50) was (200, 50) from its centre at scale 1; at scale 2 it is
  // (400, 100) from the centre, drawn at centre + translation = (400 + x, 100 + y) = (200, 50).
  assert.deepEqual(view, { scale: 2, x: -200, y: -50 });
  // Back to fitted: centred again.
  assert.deepEqual(zoomAbout(view, 1, point, fitted, stage), { scale: 1, x: 0, y: 0 });
});
