// @ts-check
// Small DOM helpers. Everything a user typed goes in as text (textContent or
// a Text node), never as markup, so a message can never run script.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name === 'className') {
      element.className = value;
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

const graphemes = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

/**
 * The first character a person sees of `word`: a whole grapheme (an emoji with its
 * joiners and skin tone, a letter with its accents), never half of a surrogate pair.
 * @param {string} word
 */
function firstGrapheme(word) {
  if (graphemes) {
    for (const { segment } of graphemes.segment(word)) return segment;
    return '';
  }
  return [...word][0] || '';
}

/**
 * "Ada Lovelace" → "AL"; "ömer" → "Ö"; "👩‍💻 Dev" → "👩‍💻D".
 * @param {string|null|undefined} name
 */
export function initials(name) {
  const parts = String(name || '?').trim().split(/\s+/).filter(Boolean);
  const first = firstGrapheme(parts[0] || '?') || '?';
  const last = parts.length > 1 ? firstGrapheme(parts[parts.length - 1]) : '';
  return (first + last).toUpperCase();
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const today = new Date();
  return date.toDateString() === today.toDateString() ? timeFormat.format(date) : dayFormat.format(date);
}

export function formatFull(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : fullFormat.format(date);
}

export function lastSeen(iso) {
  if (!iso) return 'offline';
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return 'last seen just now';
  if (seconds < 3600) return `last seen ${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `last seen ${Math.floor(seconds / 3600)} h ago`;
  return `last seen ${formatFull(iso)}`;
}

export function newId() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

/// A round avatar: the person's uploaded picture when they have one on this
/// site (a `/api/users/…/avatar` link), else their initials. `extra` (a
/// presence dot) goes inside. A picture that fails to load falls back to initials.
export function avatar(name, url, className = 'avatar', ...given) {
  const extra = given.filter((child) => child);
  const element = h('span', { className, 'aria-hidden': 'true' });
  const fallback = () => { element.replaceChildren(initials(name), ...extra); };
  if (url && url.startsWith('/api/users/')) {
    const img = h('img', { src: url, alt: '', loading: 'lazy', decoding: 'async' });
    img.addEventListener('error', fallback, { once: true });
    element.append(img, ...extra);
  } else {
    fallback();
  }
  return element;
}

/// 1.2 MB, 300 KB, 12 bytes.
export function formatSize(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}
