// Pausing notifications (js/views/dnd.js): the end times offered from a given moment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pauseChoices } from '../../Sources/UIService/Public/js/views/dnd.js';

test('the pauses offered end 30 minutes, 1 and 2 hours, tomorrow at 9:00 and a week after now', () => {
  const now = new Date(2026, 11, 5, 23, 40, 0);
  const choices = pauseChoices(now);
  assert.deepEqual(choices.map(([label]) => label), ['30 minutes', '1 hour', '2 hours', 'Until tomorrow, 9:00', '1 week']);
  const minutes = choices.map(([, until]) => (until.getTime() - now.getTime()) / 60_000);
  assert.deepEqual([minutes[0], minutes[1], minutes[2], minutes[4]], [30, 60, 120, 7 * 24 * 60]);
  const morning = choices[3][1];
  assert.deepEqual([morning.getDate(), morning.getHours(), morning.getMinutes()], [6, 9, 0]);
});
