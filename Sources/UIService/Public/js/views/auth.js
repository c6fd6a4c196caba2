// @ts-check
// Log in and create-account forms. Field errors from the server's
// problem+json land next to the field they are about.

import { ApiError } from '../api.js';
import { h, replaceChildren } from '../dom.js';

export function renderAuth(root, api, onSignedIn, notice = '') {
  if (api.oidc) { renderProviderSignIn(root, api, notice); return; }
  let mode = 'login';
  const error = h('p', { id: 'auth-error', className: 'form-error', role: 'alert' });
  const said = h('p', { id: 'auth-notice', className: 'auth-notice', role: 'status', hidden: !notice }, notice);

  const field = (id, label, attributes) => h('div', { className: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name: id, 'aria-describedby': `${id}-error`, ...attributes }),
    h('p', { className: 'field-error', id: `${id}-error` }));

  const loginForm = h('form', { id: 'login-form', className: 'auth-form', novalidate: true },
    field('login-name', 'Username or email', { autocomplete: 'username', required: true }),
    field('login-password', 'Password', { type: 'password', autocomplete: 'current-password', required: true }),
    h('button', { type: 'submit', className: 'primary' }, 'Log in'));

  const registerForm = h('form', { id: 'register-form', className: 'auth-form', novalidate: true },
    field('register-username', 'Username', { autocomplete: 'username', required: true, minlength: 3, maxlength: 32 }),
    field('register-display-name', 'Display name', { autocomplete: 'name', required: true, maxlength: 64 }),
    field('register-email', 'Email', { type: 'email', autocomplete: 'email', required: true }),
    field('register-password', 'Password', { type: 'password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 128 }),
    h('p', { className: 'hint', id: 'password-hint' }, '8 to 128 characters, mixing letters with digits or symbols.'),
    h('button', { type: 'submit', className: 'primary' }, 'Create account'));

  const toggle = h('button', { type: 'button', id: 'auth-toggle', className: 'link' });
  const heading = h('h1', { id: 'auth-heading' });
  const card = h('section', { className: 'auth-card', 'aria-labelledby': 'auth-heading' },
    h('div', { className: 'brand' }, h('img', { className: 'logo', src: '/favicon.svg', alt: '', width: '28', height: '28' }), 'MicroChat'),
    heading, said, error, loginForm, registerForm, toggle);

  const show = (next) => {
    mode = next;
    heading.textContent = mode === 'login' ? 'Log in' : 'Create your account';
    loginForm.hidden = mode !== 'login';
    registerForm.hidden = mode !== 'register';
    toggle.textContent = mode === 'login' ? 'New here? Create an account' : 'Have an account? Log in';
    error.textContent = '';
    (mode === 'login' ? loginForm : registerForm).querySelector('input').focus();
  };
  toggle.addEventListener('click', () => show(mode === 'login' ? 'register' : 'login'));

  const submit = async (form, action) => {
    error.textContent = '';
    for (const message of form.querySelectorAll('.field-error')) message.textContent = '';
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await action();
      onSignedIn();
    } catch (failure) {
      showProblem(form, error, failure);
    } finally {
      button.disabled = false;
    }
  };

  loginForm.addEventListener('submit', (event) => {
    event.preventDefault();
    submit(loginForm, () => api.login(loginForm.elements['login-name'].value.trim(), loginForm.elements['login-password'].value));
  });
  registerForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = (name) => registerForm.elements[name].value;
    submit(registerForm, () => api.register({
      username: value('register-username').trim(),
      displayName: value('register-display-name').trim(),
      email: value('register-email').trim(),
      password: value('register-password'),
    }));
  });

  replaceChildren(root, h('div', { className: 'auth-screen' }, card));
  show('login');
}

const FIELD_IDS = { username: 'register-username', displayName: 'register-display-name', email: 'register-email', password: 'register-password' };

/** Refusals about one field that come without a field list: said at that field. */
const CODE_FIELDS = { username_taken: 'username', email_taken: 'email' };

/**
 * Puts each field's error next to its field (marked invalid), and the focus on the
 * first wrong field in the form's order; anything else goes to the form's error line.
 * @param {HTMLFormElement} form
 * @param {HTMLElement} error
 * @param {any} failure
 */
function showProblem(form, error, failure) {
  for (const input of form.querySelectorAll('input[aria-invalid]')) input.removeAttribute('aria-invalid');
  /** @type {{ field: string, detail: string }[]} */
  const items = !(failure instanceof ApiError) ? []
    : failure.errors.length ? failure.errors
      : CODE_FIELDS[failure.code] ? [{ field: CODE_FIELDS[failure.code], detail: failure.message }] : [];
  let placed = false;
  for (const item of items) {
    const id = FIELD_IDS[item.field];
    const target = id && form.querySelector(`#${id}-error`);
    if (!target) continue;
    target.textContent = item.detail;
    form.querySelector(`#${id}`)?.setAttribute('aria-invalid', 'true');
    placed = true;
  }
  if (!placed) { error.textContent = failure?.message || 'Something went wrong.'; return; }
  error.textContent = 'Please fix the fields below.';
  /** @type {HTMLElement|null} */ (form.querySelector('input[aria-invalid="true"]'))?.focus();
}

/// Sign-in when accounts live at an OpenID Connect provider: its pages take the password.
function renderProviderSignIn(root, api, notice) {
  const error = h('p', { id: 'auth-error', className: 'form-error', role: 'alert' }, notice);
  const go = (prompt) => async () => {
    error.textContent = '';
    try { await api.oidc.begin(prompt); } catch (failure) { error.textContent = failure.message; }
  };
  const card = h('section', { className: 'auth-card', 'aria-labelledby': 'auth-heading' },
    h('div', { className: 'brand' }, h('img', { className: 'logo', src: '/favicon.svg', alt: '', width: '28', height: '28' }), 'MicroChat'),
    h('h1', { id: 'auth-heading' }, 'Welcome'),
    error,
    h('div', { className: 'stack' },
      h('button', { type: 'button', id: 'oidc-login', className: 'primary', onClick: go(null) }, 'Log in'),
      h('button', { type: 'button', id: 'oidc-register', className: 'secondary', onClick: go('create') }, 'Create an account')));
  replaceChildren(root, h('div', { className: 'auth-screen' }, card));
}
