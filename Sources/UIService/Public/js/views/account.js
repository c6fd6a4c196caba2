// @ts-check
// "Your account" in the profile dialog: change the password (the current one
// asked; every other login is signed out), download one's data as a JSON file,
// and delete the account after confirming with the password (or, for accounts
// of a sign-in provider, the username typed again).

import { h } from '../dom.js';
import { openDialog } from './dialogs.js';

/** @typedef {import('../store.js').ChatStore} ChatStore */

/**
 * @param {ChatStore} store
 * @param {{ external: boolean, onDeleted: () => void }} options
 */
export function accountSection(store, { external, onDeleted }) {
  const status = h('p', { id: 'account-status', className: 'hint', role: 'status' });
  const error = h('p', { id: 'account-error', className: 'form-error', role: 'alert' });
  const field = (/** @type {string} */ id, /** @type {string} */ label, /** @type {string} */ autocomplete) => [
    h('label', { for: id }, label),
    h('input', { id, type: 'password', autocomplete, required: true, maxlength: '128' })];
  const passwordForm = h('form', { id: 'password-form', className: 'stack', hidden: true },
    ...field('current-password', 'Current password', 'current-password'),
    ...field('new-password', 'New password', 'new-password'),
    h('p', { className: 'hint' }, '8 to 128 characters, mixing letters with digits or symbols. Your other logins will be signed out.'),
    h('button', { type: 'submit', className: 'primary' }, 'Change password'));
  const value = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (passwordForm.querySelector(`#${id}`)).value;
  passwordForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    status.textContent = 'Changing your password…';
    try {
      await store.changePassword(value('current-password'), value('new-password'));
      passwordForm.reset();
      passwordForm.hidden = true;
      status.textContent = 'Password changed. Your other logins were signed out.';
    } catch (failure) {
      status.textContent = '';
      error.textContent = failure.message;
    }
  });
  const showPasswordForm = h('button', { type: 'button', id: 'change-password-button', className: 'secondary', hidden: external,
    'aria-expanded': 'false', onClick: () => {
      passwordForm.hidden = !passwordForm.hidden;
      showPasswordForm.setAttribute('aria-expanded', passwordForm.hidden ? 'false' : 'true');
      if (!passwordForm.hidden) /** @type {HTMLInputElement} */ (passwordForm.querySelector('input')).focus();
    } }, 'Change password');
  const download = h('button', { type: 'button', id: 'export-button', className: 'secondary', onClick: async () => {
    error.textContent = '';
    status.textContent = 'Preparing your data…';
    try {
      const { blob, filename } = await store.exportAccount();
      const link = h('a', { href: URL.createObjectURL(blob), download: filename, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      status.textContent = `Downloaded ${filename}.`;
    } catch (failure) {
      status.textContent = '';
      error.textContent = `Could not export your data: ${failure.message}`;
    }
  } }, 'Download my data');
  const remove = h('button', { type: 'button', id: 'delete-account-button', className: 'danger',
    onClick: () => deleteAccountDialog(store, external, onDeleted) }, 'Delete account…');
  return h('section', { id: 'account-section', className: 'account-section', 'aria-labelledby': 'account-heading' },
    h('h3', { id: 'account-heading' }, 'Your account'),
    h('p', { className: 'hint' }, external ? 'Your password is kept by your sign-in provider.' : ''),
    error, status,
    h('div', { className: 'account-actions' }, showPasswordForm, download, remove),
    passwordForm);
}

/**
 * Asks once more, with what proves it is the account's owner, then deletes it.
 * @param {ChatStore} store
 * @param {boolean} external
 * @param {() => void} onDeleted
 */
function deleteAccountDialog(store, external, onDeleted) {
  const input = h('input', external
    ? { id: 'delete-confirm', type: 'text', autocomplete: 'off', required: true, 'aria-describedby': 'delete-explain' }
    : { id: 'delete-confirm', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'delete-explain' });
  const form = h('form', { id: 'delete-account-form', className: 'stack' },
    h('p', { id: 'delete-explain' },
      'Your profile, picture, contacts, blocks, saved messages and sessions are erased, and you leave every group. '
      + 'Messages you sent stay in their conversations, shown as from a deleted account. This cannot be undone.'),
    h('label', { for: 'delete-confirm' }, external ? `Type your username (${store.me.username}) to confirm` : 'Your password'),
    input,
    h('div', { className: 'dialog-footer' },
      h('button', { type: 'button', className: 'secondary', onClick: () => dialog.close() }, 'Cancel'),
      h('button', { type: 'submit', id: 'delete-account-confirm', className: 'danger' }, 'Delete my account')));
  const dialog = openDialog('delete-account-dialog', 'Delete your account?', form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await store.deleteAccount(external ? { confirmUsername: input.value.trim() } : { password: input.value });
      dialog.close();
      document.getElementById('profile-dialog')?.remove();
      onDeleted();
    } catch (failure) { dialog.fail(failure); }
  });
  input.focus();
}
