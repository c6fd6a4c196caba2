// @ts-check
// Do not disturb, under the notifications button: "Pause notifications" offers
// 30 minutes, an hour, two hours, until tomorrow morning or a week; while it
// lasts, the sidebar says until when, with "Resume" to end it. It is kept by
// user-service, so every page and device of mine follows it.

import { h, formatTime } from '../dom.js';
import { openDialog } from './dialogs.js';

/** @typedef {import('../store.js').ChatStore} ChatStore */

/**
 * The choices, each an end time from `now`.
 * @param {Date} now
 * @returns {[string, Date][]}
 */
export function pauseChoices(now) {
  const minutes = (/** @type {number} */ n) => new Date(now.getTime() + n * 60_000);
  const morning = new Date(now);
  morning.setDate(morning.getDate() + 1);
  morning.setHours(9, 0, 0, 0);
  return [['30 minutes', minutes(30)], ['1 hour', minutes(60)], ['2 hours', minutes(120)],
    ['Until tomorrow, 9:00', morning], ['1 week', minutes(7 * 24 * 60)]];
}

export class DoNotDisturbControl {
  /** @param {ChatStore} store */
  constructor(store) {
    this.store = store;
    this.status = h('span', { id: 'dnd-status', className: 'dnd-status', role: 'status' });
    this.button = h('button', { type: 'button', id: 'dnd-button', className: 'secondary', onClick: () => this.toggle() }, 'Pause notifications');
    this.element = h('div', { className: 'dnd' }, this.status, this.button);
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    this.render();
  }

  render() {
    clearTimeout(this.timer);
    const on = this.store.doNotDisturb();
    const until = this.store.me?.doNotDisturbUntil;
    this.status.textContent = on && until ? `Notifications paused until ${formatTime(until)}` : '';
    this.status.hidden = !on;
    this.button.textContent = on ? 'Resume notifications' : 'Pause notifications';
    this.button.setAttribute('aria-pressed', on ? 'true' : 'false');
    // It ends by itself: the sidebar follows when it does.
    if (on && until) this.timer = setTimeout(() => this.render(), Math.min(Date.parse(until) - Date.now() + 500, 2 ** 31 - 1));
  }

  async toggle() {
    if (this.store.doNotDisturb()) {
      try { await this.store.endDoNotDisturb(); } catch (error) { this.status.hidden = false; this.status.textContent = error.message; }
      return;
    }
    const dialog = openDialog('dnd-dialog', 'Pause notifications',
      h('p', {}, 'No notifications on any of your devices until:'),
      h('ul', { className: 'dnd-choices' }, pauseChoices(new Date()).map(([label, until]) => h('li', {},
        h('button', { type: 'button', className: 'secondary dnd-choice', dataset: { until: until.toISOString() }, onClick: async () => {
          try {
            await this.store.startDoNotDisturb(until);
            dialog.close();
          } catch (error) { dialog.fail(error); }
        } }, label)))));
    /** @type {HTMLElement|null} */ (dialog.querySelector('.dnd-choice'))?.focus();
  }
}
