// @ts-check
// Message formatting: a small Markdown subset turned into DOM nodes. The
// stored message stays the text the person typed; this only decides how the
// page shows it. Nothing is ever parsed as HTML: every piece of text becomes a
// Text node, and the only elements made are the ones listed here.
//
//   **bold**  *italic* or _italic_  ~~strike~~  `code`
//   ```            a code block (the fence may name a language; it is ignored)
//   > quote        a quoted line (several in a row make one quote)
//   [label](https://…)  a link; bare http(s) addresses become links too
//   @username      a mention (highlighted when it names someone the message mentions)
//   line breaks are kept
//
// Links go only to http: and https: addresses, open in a new tab with
// rel="noopener noreferrer", and show where they lead on hover.

import { h } from './dom.js';

const MAX_DEPTH = 4;
const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/gi;
const MENTION_PATTERN = /(^|[^A-Za-z0-9._-])@([A-Za-z0-9][A-Za-z0-9._-]{1,31}[A-Za-z0-9_])/g;
// Bidirectional overrides and other invisible controls: shown as nothing in link addresses' titles.
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;

/// The address if it is a safe http(s) link, else null.
export function safeHref(text) {
  let url;
  try { url = new URL(text.trim()); } catch { return null; }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

/// The message text as a list of block nodes (paragraphs, quotes, code blocks).
/// `mention(username)` says how to show an @name: null leaves it as text; a
/// kind ('me' or 'other') marks it, shown as `@label` (the person's display
/// name) with the @username as its title.
/** @param {string} text @param {(name: string) => ({ kind: string, label: string } | null)} [mention] */
export function formatMessage(text, mention = () => null) {
  const context = { mention };
  const blocks = [];
  const lines = String(text).split('\n');
  let index = 0;
  let paragraph = [];
  const flushParagraph = () => {
    if (paragraph.length) blocks.push(h('p', { className: 'md-p' }, withBreaks(paragraph, context)));
    paragraph = [];
  };
  while (index < lines.length) {
    const line = lines[index];
    if (/^\s*```/.test(line)) {
      const close = lines.findIndex((candidate, at) => at > index && /^\s*```\s*$/.test(candidate));
      if (close !== -1) {
        flushParagraph();
        blocks.push(h('pre', { className: 'md-code-block' }, h('code', {}, lines.slice(index + 1, close).join('\n'))));
        index = close + 1;
        continue;
      }
    }
    if (/^\s*>/.test(line)) {
      flushParagraph();
      const quoted = [];
      while (index < lines.length && /^\s*>/.test(lines[index])) {
        quoted.push(lines[index].replace(/^\s*> ?/, ''));
        index += 1;
      }
      blocks.push(h('blockquote', { className: 'md-quote' }, withBreaks(quoted, context)));
      continue;
    }
    paragraph.push(line);
    index += 1;
  }
  flushParagraph();
  return blocks;
}

function withBreaks(lines, context) {
  return lines.flatMap((line, at) => (at === 0 ? inline(line, context, 0) : [h('br'), ...inline(line, context, 0)]));
}

/// Inline marks, earliest first; what is not a mark stays text.
function inline(text, context, depth) {
  if (depth > MAX_DEPTH) return [document.createTextNode(text)];
  const out = [];
  let plain = '';
  const flush = () => { if (plain) out.push(...linkify(plain, context)); plain = ''; };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    let match;
    if (rest[0] === '`' && (match = /^`([^`\n]+)`/.exec(rest))) {
      flush();
      out.push(h('code', { className: 'md-code' }, match[1]));
    } else if ((match = /^\*\*(?=\S)([\s\S]*?\S)\*\*/.exec(rest))) {
      flush();
      out.push(h('strong', {}, inline(match[1], context, depth + 1)));
    } else if ((match = /^~~(?=\S)([\s\S]*?\S)~~/.exec(rest))) {
      flush();
      out.push(h('del', {}, inline(match[1], context, depth + 1)));
    } else if ((match = /^\*(?=[^\s*])([^*]*?[^\s*])\*/.exec(rest)) || (match = /^\*([^\s*])\*/.exec(rest))) {
      flush();
      out.push(h('em', {}, inline(match[1], context, depth + 1)));
    } else if (isWordStart(text, i) && (match = /^_(?=[^\s_])([^_]*?[^\s_]|[^\s_])_(?![A-Za-z0-9])/.exec(rest))) {
      flush();
      out.push(h('em', {}, inline(match[1], context, depth + 1)));
    } else if (rest[0] === '[' && (match = /^\[([^\]\n]{1,300})\]\(([^()\s]{1,2000})\)/.exec(rest)) && safeHref(match[2])) {
      flush();
      out.push(link(safeHref(match[2]), inline(match[1], { ...context, inLink: true }, depth + 1)));
    } else {
      plain += text[i];
      i += 1;
      continue;
    }
    i += match[0].length;
  }
  flush();
  return out;
}

function isWordStart(text, index) {
  return index === 0 || !/[A-Za-z0-9]/.test(text[index - 1]);
}

function link(href, children) {
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer', title: href.replace(INVISIBLE, ''), className: 'md-link' }, children);
}

/// Bare addresses become links and @names mentions; everything else is text.
function linkify(text, context) {
  const nodes = [];
  let last = 0;
  const pieces = [];
  if (!context.inLink) {
    for (const found of text.matchAll(URL_PATTERN)) {
      let address = found[0].replace(/[.,;:!?)\]}]+$/, '');
      if (!address) continue;
      pieces.push({ start: found.index, end: found.index + address.length, kind: 'url', value: address });
    }
  }
  for (const found of text.matchAll(MENTION_PATTERN)) {
    const start = found.index + found[1].length;
    if (pieces.some((piece) => start < piece.end && start >= piece.start)) continue;
    pieces.push({ start, end: start + 1 + found[2].length, kind: 'mention', value: found[2] });
  }
  pieces.sort((a, b) => a.start - b.start);
  for (const piece of pieces) {
    if (piece.start < last) continue;
    if (piece.start > last) nodes.push(document.createTextNode(text.slice(last, piece.start)));
    const shown = text.slice(piece.start, piece.end);
    if (piece.kind === 'url') {
      const href = safeHref(piece.value);
      nodes.push(href ? link(href, [shown]) : document.createTextNode(shown));
    } else {
      const known = context.mention(piece.value);
      nodes.push(known ? h('span', { className: `mention mention-${known.kind}`, title: shown, dataset: { username: piece.value } }, `@${known.label}`)
        : document.createTextNode(shown));
    }
    last = piece.end;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

/// The text without its marks, for one-line previews and notifications
/// (`**bold**` → bold, `[label](url)` → label, quotes and fences dropped).
export function plainText(text) {
  return String(text)
    .replace(/```[^\n]*\n?/g, '')
    .replace(/^\s*> ?/gm, '')
    .replace(/\[([^\]\n]{1,300})\]\(([^()\s]{1,2000})\)/g, '$1')
    .replace(/(\*\*|~~)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/`([^`\n]+)`/g, '$1')
    .replace(/(^|[^A-Za-z0-9])[*_](?=[^\s*_])([^*_\n]*?[^\s*_])[*_](?![A-Za-z0-9])/g, '$1$2')
    .replace(/\s+/g, ' ')
    .trim();
}
