// @ts-check
// Files and images in the timeline and the composer. Attachments are behind
// the bearer token, so the page fetches each one (fetch + Blob) and shows it
// through an object URL; an image's box is sized from the stored width and
// height before it arrives, so nothing jumps. Uploads show a progress bar with
// a Cancel button; a refused upload says why (size, type) in plain words.

import { h, formatSize, replaceChildren } from '../dom.js';
import { openImageViewer } from './image-viewer.js';

/** @typedef {import('../protocol.js').Attachment} Attachment */

const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const MAX_PREVIEW = { width: 320, height: 240 };

export function isInlineImage(attachment) {
  return INLINE_TYPES.has(attachment.contentType) && attachment.width > 0 && attachment.height > 0;
}

/// Object URLs of fetched attachments, kept while the page lives (one fetch per attachment).
export class AttachmentCache {
  constructor(api) {
    this.api = api;
    this.urls = new Map();
  }

  url(roomId, attachment) {
    if (!this.urls.has(attachment.id)) {
      const request = this.api.download(`/api/rooms/${roomId}/attachments/${attachment.id}`)
        .then((blob) => URL.createObjectURL(blob));
      request.catch(() => this.urls.delete(attachment.id));
      this.urls.set(attachment.id, request);
    }
    return this.urls.get(attachment.id);
  }

  /// Saves the file under its own name, through a temporary link.
  async save(roomId, attachment) {
    const url = await this.url(roomId, attachment);
    const link = h('a', { href: url, download: attachment.filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
  }
}

/**
 * The attachments of a message: image previews (click for the viewer, which goes on through
 * `gallery()`, the room's pictures) and file cards.
 * @param {string} roomId
 * @param {Attachment[]} attachments
 * @param {AttachmentCache} cache
 * @param {() => Attachment[]} [gallery]
 */
export function attachmentList(roomId, attachments, cache, gallery = () => attachments.filter(isInlineImage)) {
  return h('div', { className: 'attachments' }, attachments.map((attachment) => (isInlineImage(attachment)
    ? imagePreview(roomId, attachment, cache, gallery) : fileCard(roomId, attachment, cache))));
}

function imagePreview(roomId, attachment, cache, gallery) {
  const scale = Math.min(1, MAX_PREVIEW.width / attachment.width, MAX_PREVIEW.height / attachment.height);
  const width = Math.max(1, Math.round(attachment.width * scale));
  const height = Math.max(1, Math.round(attachment.height * scale));
  const img = h('img', { width: String(width), height: String(height), alt: attachment.filename, className: 'attachment-image' });
  const button = h('button', {
    type: 'button', className: 'image-button', 'aria-label': `View ${attachment.filename}`,
    dataset: { attachmentId: attachment.id }, onClick: () => {
      const images = gallery();
      const index = images.findIndex((image) => image.id === attachment.id);
      openImageViewer(roomId, index < 0 ? [attachment] : images, Math.max(0, index), cache);
    },
  }, img);
  // Through the CSSOM (the page's CSP allows no inline style attributes): the box is the image's size before it loads.
  button.style.width = `${width}px`;
  button.style.height = `${height}px`;
  cache.url(roomId, attachment).then((url) => { img.src = url; }).catch(() => { button.classList.add('broken'); img.alt = `${attachment.filename} (could not load)`; });
  return button;
}

function fileCard(roomId, attachment, cache) {
  const status = h('span', { className: 'file-status', 'aria-live': 'polite' });
  return h('div', { className: 'file-card', dataset: { attachmentId: attachment.id } },
    h('span', { className: 'file-icon', 'aria-hidden': 'true' }, fileBadge(attachment)),
    h('span', { className: 'file-text' },
      h('span', { className: 'file-name' }, attachment.filename),
      h('span', { className: 'file-size' }, formatSize(attachment.size)), status),
    h('button', {
      type: 'button', className: 'secondary download-file', 'aria-label': `Download ${attachment.filename}`,
      onClick: async () => {
        status.textContent = '';
        try { await cache.save(roomId, attachment); } catch (error) { status.textContent = ` · ${error.message}`; }
      },
    }, 'Download'));
}

function fileBadge(attachment) {
  const extension = attachment.filename.includes('.') ? attachment.filename.split('.').pop() : '';
  return (extension || attachment.contentType.split('/').pop() || 'file').slice(0, 4).toUpperCase();
}

/// Uploads in progress, each with a bar and a Cancel button.
export class UploadPanel {
  constructor() {
    this.element = h('ul', { id: 'upload-panel', className: 'upload-panel', 'aria-label': 'Uploads', 'aria-live': 'polite' });
    this.rows = new Map();
  }

  add(id, file, cancel) {
    const bar = h('progress', { max: '1', value: '0', 'aria-label': `Uploading ${file.name}` });
    const row = h('li', { className: 'upload', dataset: { uploadId: id } },
      h('span', { className: 'upload-name' }, file.name), h('span', { className: 'upload-size' }, formatSize(file.size)), bar,
      h('button', { type: 'button', className: 'link cancel-upload', onClick: cancel }, 'Cancel'));
    this.rows.set(id, { row, bar });
    this.element.append(row);
  }

  progress(id, fraction) {
    const entry = this.rows.get(id);
    if (entry) entry.bar.value = fraction;
  }

  remove(id) {
    this.rows.get(id)?.row.remove();
    this.rows.delete(id);
  }

  clear() {
    this.rows.clear();
    replaceChildren(this.element);
  }
}
