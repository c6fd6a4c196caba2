// @ts-check
// Pictures full-window: fitted to the window, zoom (buttons, + / − / 0, the
// wheel, a double click, pinching on a phone) and pan (dragging), the room's
// other pictures with ← / → (or the buttons, or a swipe on a phone), Download,
// and Esc (or ×) to close. A <dialog>, so the focus stays inside it.

import { h } from '../dom.js';
import { clampView, zoomAbout } from '../zoom.js';

/** @typedef {import('../protocol.js').Attachment} Attachment */
/** @typedef {import('./attachments.js').AttachmentCache} AttachmentCache */

/** A horizontal move this long (px) without zoom is a swipe to the next or previous picture. */
const SWIPE = 60;

/**
 * @param {string} roomId
 * @param {Attachment[]} images the room's pictures, oldest first
 * @param {number} index the one to show first
 * @param {AttachmentCache} cache
 */
export function openImageViewer(roomId, images, index, cache) {
  document.getElementById('image-viewer')?.remove();
  let current = index;
  let view = { scale: 1, x: 0, y: 0 };
  /** @type {Map<number, { x: number, y: number }>} pointers down on the stage */
  const pointers = new Map();
  /** @type {{ distance: number, scale: number } | null} */
  let pinch = null;
  /** @type {{ x: number, y: number, view: typeof view } | null} */
  let drag = null;

  const img = h('img', { id: 'viewer-image', className: 'viewer-image', draggable: 'false', alt: '' });
  const title = h('h2', { id: 'image-viewer-title', className: 'viewer-title' });
  const counter = h('span', { id: 'viewer-counter', className: 'viewer-counter', 'aria-live': 'polite' });
  const zoomText = h('span', { id: 'viewer-zoom', className: 'viewer-zoom', 'aria-live': 'polite' });
  const tool = (/** @type {string} */ id, /** @type {string} */ label, /** @type {string} */ text, /** @type {() => void} */ act) =>
    h('button', { type: 'button', id, className: 'viewer-tool', 'aria-label': label, title: label, onClick: act }, text);
  const prev = tool('viewer-prev', 'Previous picture (←)', '‹', () => show(current - 1));
  const next = tool('viewer-next', 'Next picture (→)', '›', () => show(current + 1));
  const stage = h('div', { id: 'viewer-stage', className: 'viewer-stage' }, img);
  const dialog = h('dialog', { id: 'image-viewer', className: 'viewer', 'aria-labelledby': 'image-viewer-title' },
    h('header', { className: 'viewer-bar' }, title, counter,
      h('span', { className: 'viewer-tools' },
        tool('viewer-zoom-out', 'Zoom out (−)', '−', () => zoomBy(1 / 1.5)), zoomText, tool('viewer-zoom-in', 'Zoom in (+)', '+', () => zoomBy(1.5)),
        tool('viewer-fit', 'Fit to the window (0)', 'Fit', () => apply({ scale: 1, x: 0, y: 0 })),
        h('button', { type: 'button', id: 'viewer-download', className: 'secondary', onClick: () => cache.save(roomId, images[current]) }, 'Download'),
        tool('viewer-close', 'Close (Esc)', '×', () => dialog.close()))),
    h('div', { className: 'viewer-main' }, prev, stage, next));

  const fitted = () => ({ width: img.clientWidth, height: img.clientHeight });
  const stageSize = () => ({ width: stage.clientWidth, height: stage.clientHeight });
  /** A point of the stage, from its centre. @param {number} clientX @param {number} clientY */
  const fromCentre = (clientX, clientY) => {
    const box = stage.getBoundingClientRect();
    return { x: clientX - box.left - box.width / 2, y: clientY - box.top - box.height / 2 };
  };
  /** @param {typeof view} next */
  function apply(next) {
    view = clampView(next, fitted(), stageSize());
    img.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    zoomText.textContent = `${Math.round(view.scale * 100)}%`;
    stage.classList.toggle('zoomed', view.scale > 1);
  }
  /** @param {number} factor @param {{ x: number, y: number }} [point] */
  function zoomBy(factor, point = { x: 0, y: 0 }) { apply(zoomAbout(view, view.scale * factor, point, fitted(), stageSize())); }
  /** @param {number} index */
  function show(index) {
    if (index < 0 || index >= images.length) return;
    current = index;
    const attachment = images[index];
    title.textContent = attachment.filename;
    img.alt = attachment.filename;
    img.removeAttribute('src');
    img.dataset.attachmentId = attachment.id;
    counter.textContent = images.length > 1 ? `${index + 1} of ${images.length}` : '';
    prev.hidden = next.hidden = images.length < 2;
    /** @type {HTMLButtonElement} */ (prev).disabled = index === 0;
    /** @type {HTMLButtonElement} */ (next).disabled = index === images.length - 1;
    apply({ scale: 1, x: 0, y: 0 });
    cache.url(roomId, attachment).then((url) => { if (current === index) img.src = url; }).catch(() => { img.alt = `${attachment.filename} (could not load)`; });
  }

  dialog.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const keys = { ArrowLeft: () => show(current - 1), ArrowRight: () => show(current + 1), '+': () => zoomBy(1.5), '=': () => zoomBy(1.5),
      '-': () => zoomBy(1 / 1.5), '0': () => apply({ scale: 1, x: 0, y: 0 }) };
    const act = keys[/** @type {keyof typeof keys} */ (event.key)];
    if (act) { event.preventDefault(); act(); }
  });
  stage.addEventListener('wheel', (event) => {
    event.preventDefault();
    zoomBy(event.deltaY < 0 ? 1.25 : 1 / 1.25, fromCentre(event.clientX, event.clientY));
  }, { passive: false });
  stage.addEventListener('dblclick', (event) => {
    const point = fromCentre(event.clientX, event.clientY);
    apply(view.scale > 1 ? { scale: 1, x: 0, y: 0 } : zoomAbout(view, 2, point, fitted(), stageSize()));
  });
  // Dragging pans a zoomed picture; two fingers pinch; one finger across a fitted one swipes.
  stage.addEventListener('pointerdown', (event) => {
    stage.setPointerCapture(event.pointerId);
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      pinch = { distance: Math.hypot(a.x - b.x, a.y - b.y), scale: view.scale };
      drag = null;
    } else if (pointers.size === 1) {
      drag = { x: event.clientX, y: event.clientY, view };
    }
  });
  stage.addEventListener('pointermove', (event) => {
    if (!pointers.has(event.pointerId)) return;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pinch && pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      const middle = fromCentre((a.x + b.x) / 2, (a.y + b.y) / 2);
      apply(zoomAbout(view, pinch.scale * Math.hypot(a.x - b.x, a.y - b.y) / Math.max(1, pinch.distance), middle, fitted(), stageSize()));
    } else if (drag && drag.view.scale > 1) {
      apply({ ...drag.view, x: drag.view.x + event.clientX - drag.x, y: drag.view.y + event.clientY - drag.y });
    }
  });
  const lift = (/** @type {PointerEvent} */ event) => {
    if (!pointers.has(event.pointerId)) return;
    pointers.delete(event.pointerId);
    if (drag && !pinch && drag.view.scale === 1 && event.type === 'pointerup') {
      const moved = event.clientX - drag.x;
      if (Math.abs(moved) > SWIPE && Math.abs(moved) > Math.abs(event.clientY - drag.y)) show(current + (moved < 0 ? 1 : -1));
    }
    if (pointers.size < 2) pinch = null;
    drag = null;
  };
  stage.addEventListener('pointerup', lift);
  stage.addEventListener('pointercancel', lift);
  img.addEventListener('load', () => apply(view));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  show(current);
  /** @type {HTMLElement} */ (dialog.querySelector('#viewer-close')).focus();
}
