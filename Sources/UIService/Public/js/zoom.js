// @ts-check
// The image viewer's geometry, apart from the page: zoom about a point and a
// pan that never lets the picture leave the stage. Pure functions (unit tests:
// Tests/web-unit/zoom.test.mjs).

export const MIN_SCALE = 1;
export const MAX_SCALE = 8;

/**
 * @typedef {{ scale: number, x: number, y: number }} View a scale (1: the picture fitted to the stage) and
 *   a translation in pixels of the picture's centre from the stage's centre
 * @typedef {{ width: number, height: number }} Size
 */

/**
 * The pan kept within bounds: a picture larger than the stage may move until its edge meets
 * the stage's edge; one smaller stays centred on that axis.
 * @param {View} view
 * @param {Size} fitted the picture's size at scale 1
 * @param {Size} stage
 * @returns {View}
 */
export function clampView(view, fitted, stage) {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale));
  const room = (/** @type {number} */ picture, /** @type {number} */ box) => Math.max(0, (picture * scale - box) / 2);
  // (+ 0: no -0 when the limit is 0)
  const clamp = (/** @type {number} */ value, /** @type {number} */ limit) => Math.min(limit, Math.max(-limit, value)) + 0;
  return { scale, x: clamp(view.x, room(fitted.width, stage.width)), y: clamp(view.y, room(fitted.height, stage.height)) };
}

/**
 * Zoomed to `scale` about a point of the stage (relative to its centre), so that what is
 * under that point stays under it.
 * @param {View} view
 * @param {number} scale
 * @param {{ x: number, y: number }} point
 * @param {Size} fitted
 * @param {Size} stage
 */
export function zoomAbout(view, scale, point, fitted, stage) {
  const target = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
  const ratio = target / view.scale;
  return clampView({ scale: target, x: point.x - (point.x - view.x) * ratio, y: point.y - (point.y - view.y) * ratio }, fitted, stage);
}
