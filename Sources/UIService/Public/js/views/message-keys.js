// @ts-check
// The timeline by keyboard. Each message is one Tab stop; its own controls
// (actions, reactions, a quote, links, "Show more") are reached with the arrow
// keys from it, so Tab moves from message to message instead of through every
// control of every bubble:
//   ↑ / ↓, Home / End   the previous / next, first / last message
//   Enter or →           into the message's controls; ← / → between them;
//                        ← from the first, ↑ / ↓ or Esc back to the message
//   R, E, +, Delete      reply, edit, react, delete (the message's own actions)

/** What can take the focus inside a message. */
const CONTROLS = 'button, a[href], input, select, textarea, [tabindex]';

/** The keys a focused message answers itself, said to assistive technology. */
export const MESSAGE_KEYS = 'ArrowUp ArrowDown Home End Enter R E + Delete';

/**
 * Makes a message item one Tab stop: the item itself; its controls only through the arrow keys.
 * @template {HTMLElement} T
 * @param {T} item
 * @returns {T}
 */
export function oneTabStop(item) {
  item.tabIndex = 0;
  item.setAttribute('aria-keyshortcuts', MESSAGE_KEYS);
  for (const control of item.querySelectorAll(CONTROLS)) /** @type {HTMLElement} */ (control).tabIndex = -1;
  return item;
}

/**
 * The controls of an item that can be focused now, in reading order.
 * @param {HTMLElement} item
 * @returns {HTMLElement[]}
 */
export function controlsOf(item) {
  return /** @type {HTMLElement[]} */ ([...item.querySelectorAll(CONTROLS)])
    .filter((control) => control !== item && !control.closest('[hidden]') && control.getClientRects().length > 0
      && getComputedStyle(control).visibility !== 'hidden');
}

/**
 * Answers the keys above on `timeline` (an element whose direct children are the items).
 * @param {HTMLElement} timeline
 * @param {{ shortcut: (item: HTMLElement, key: string) => boolean, escape: (item: HTMLElement) => boolean }} handlers
 *   shortcut: a letter key on a focused message, true when it did something;
 *   escape: Esc inside a message, true when it closed something there (a picker).
 */
export function keyboardTimeline(timeline, handlers) {
  timeline.addEventListener('keydown', (event) => {
    if (event.isComposing || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = /** @type {HTMLElement} */ (event.target);
    const item = /** @type {HTMLElement|null} */ (target.closest('li[tabindex="0"]'));
    if (!item || item.parentElement !== timeline) return;
    if (target === item ? onItem(timeline, item, event, handlers) : onControl(item, target, event, handlers)) event.preventDefault();
  });
}

/**
 * @param {HTMLElement} timeline
 * @param {HTMLElement} item
 * @param {KeyboardEvent} event
 * @param {{ shortcut: (item: HTMLElement, key: string) => boolean }} handlers
 */
function onItem(timeline, item, event, handlers) {
  const items = () => /** @type {HTMLElement[]} */ ([...timeline.querySelectorAll(':scope > li[tabindex="0"]')]);
  switch (event.key) {
    case 'ArrowUp':
    case 'ArrowDown': {
      const all = items();
      const next = all[all.indexOf(item) + (event.key === 'ArrowUp' ? -1 : 1)];
      next?.focus();
      return true;
    }
    case 'Home': items()[0]?.focus(); return true;
    case 'End': items().at(-1)?.focus(); return true;
    case 'Enter':
    case 'ArrowRight': {
      const first = controlsOf(item)[0];
      first?.focus();
      return Boolean(first);
    }
    default:
      return event.key.length === 1 || event.key === 'Delete' ? handlers.shortcut(item, event.key.toLowerCase()) : false;
  }
}

/**
 * @param {HTMLElement} item
 * @param {HTMLElement} control
 * @param {KeyboardEvent} event
 * @param {{ escape: (item: HTMLElement) => boolean }} handlers
 */
function onControl(item, control, event, handlers) {
  const controls = controlsOf(item);
  const index = controls.indexOf(control);
  switch (event.key) {
    case 'ArrowRight':
      controls[index + 1]?.focus();
      return true;
    case 'ArrowLeft':
      (index > 0 ? controls[index - 1] : item).focus();
      return true;
    case 'ArrowUp':
    case 'ArrowDown':
      item.focus();
      return true;
    case 'Escape':
      if (!handlers.escape(item)) item.focus();
      return true;
    default:
      return false;
  }
}
