// @ts-check
// The HTTP side: one place that knows the tokens. Access tokens are refreshed
// before they run out and once more when a call says the token expired; the
// refresh token lives in localStorage so a reload keeps the session.

const STORAGE_KEY = 'microchat.session';

/// A new W3C `traceparent`: version 00, a random trace id and span id, sampled. The
/// services decide for themselves whether to keep it (their OTEL_TRACES_SAMPLER).
export function traceparent() {
  const hex = (/** @type {number} */ count) => Array.from(crypto.getRandomValues(new Uint8Array(count)), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `00-${hex(16)}-${hex(8)}-01`;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `request failed (${status})`);
    this.status = status;
    this.code = problem?.code || (status === 0 ? 'network_error' : 'http_error');
    this.errors = problem?.errors || [];
    this.problem = problem;
  }

  /// True when trying again later may work: no answer, or a service said it is down.
  get transient() {
    return this.status === 0 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

export class Api extends EventTarget {
  /// `oidc` is an OidcClient when people sign in at an OpenID Connect provider, null for user-service's forms.
  constructor(oidc = null) {
    super();
    this.oidc = oidc;
    this.session = loadSession();
    this.refreshing = null;
    this.probing = null;
  }

  get signedIn() { return Boolean(this.session?.refreshToken); }
  get user() { return this.session?.user; }

  async register(fields) { return this.#start(await this.#send('POST', '/api/auth/register', fields, false)); }
  async login(login, password) { return this.#start(await this.#send('POST', '/api/auth/login', { login, password }, false)); }

  /// Finishes a sign-in at the OpenID Connect provider (the page was sent back to /auth/callback).
  async completeOidcLogin() { return this.#start(await this.oidc.complete()); }

  async logout() {
    const refreshToken = this.session?.refreshToken;
    const idToken = this.session?.idToken;
    this.#clear();
    if (this.oidc) { await this.oidc.logout(idToken); return; }
    if (refreshToken) {
      try { await this.#send('POST', '/api/auth/logout', { refreshToken }, false); } catch { /* the session is gone locally either way */ }
    }
  }

  /// A valid access token, refreshed first when it is about to expire.
  async accessToken() {
    if (!this.session) throw new ApiError(401, { code: 'signed_out', detail: 'You are signed out.' });
    if (Date.now() > this.session.expiresAt - 30_000) await this.refresh();
    return this.session.accessToken;
  }

  /// Trades the refresh token for new tokens; concurrent callers share one refresh.
  refresh() {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          const refreshToken = this.session?.refreshToken;
          if (!refreshToken) throw new ApiError(401, { code: 'signed_out', detail: 'You are signed out.' });
          this.#start(this.oidc ? await this.oidc.refresh(refreshToken)
            : await this.#send('POST', '/api/auth/refresh', { refreshToken }, false));
        } catch (error) {
          if (!(error instanceof ApiError) || !error.transient) {
            this.#clear();
            this.dispatchEvent(new CustomEvent('signedout', { detail: error }));
          }
          throw error;
        } finally {
          this.refreshing = null;
        }
      })();
    }
    return this.refreshing;
  }

  get(path) { return this.#send('GET', path); }
  post(path, body, options = {}) { return this.#send('POST', path, body ?? {}, true, false, options.timeoutMs); }
  /// A POST whose address says everything (no body at all): tickets, accepting an invitation.
  postEmpty(path) { return this.#send('POST', path); }
  put(path, body) { return this.#send('PUT', path, body); }
  patch(path, body) { return this.#send('PATCH', path, body); }
  /** @param {string} path @param {any} [body] */
  delete(path, body) { return this.#send('DELETE', path, body); }

  /// Sends `blob` as the body of `method path` with upload progress (XMLHttpRequest:
  /// fetch reports none). Returns `{ done, abort }`: `done` resolves with the JSON
  /// answer, or rejects with an ApiError (code `cancelled` after `abort()`).
  /**
   * @param {string} path
   * @param {Blob} blob
   * @param {{ method?: string, onProgress?: (fraction: number) => void }} options
   */
  upload(path, blob, { method = 'POST', onProgress = (fraction) => {} } = {}) {
    const xhr = new XMLHttpRequest();
    let aborted = false;
    const done = (async () => {
      const token = await this.accessToken();
      if (aborted) throw new ApiError(0, { code: 'cancelled', detail: 'Cancelled.' });
      return new Promise((resolve, reject) => {
        xhr.open(method, path);
        xhr.setRequestHeader('Authorization', `Bearer ${token}`);
        xhr.setRequestHeader('Content-Type', 'application/octet-stream');
        xhr.upload.addEventListener('progress', (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); });
        xhr.addEventListener('load', () => {
          let data = null;
          try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { data = null; }
          if (xhr.status >= 200 && xhr.status < 300) { this.#report(true); resolve(data); } else reject(new ApiError(xhr.status, data));
        });
        xhr.addEventListener('error', () => reject(new ApiError(0, { detail: 'The upload broke off. Check your connection.' })));
        xhr.addEventListener('abort', () => reject(new ApiError(0, { code: 'cancelled', detail: 'Cancelled.' })));
        xhr.send(blob);
      });
    })();
    return { done, abort: () => { aborted = true; xhr.abort(); } };
  }

  /// A file the server keeps behind the bearer token, as a Blob (for object URLs and downloads).
  async download(path) {
    const headers = { Authorization: `Bearer ${await this.accessToken()}` };
    let response;
    try { response = await fetch(path, { headers }); } catch {
      throw new ApiError(0, { detail: 'The server cannot be reached. Check your connection.' });
    }
    if (!response.ok) {
      let data = null;
      try { data = await response.json(); } catch { data = null; }
      throw new ApiError(response.status, data);
    }
    return response.blob();
  }

  updateUser(user) {
    if (!this.session) return;
    this.session.user = user;
    saveSession(this.session);
  }

  /// One JSON call. A server that has not answered within `timeoutMs` (20 s
  /// unless said) counts as unreachable: the call fails as a network error.
  async #send(method, path, body, authenticated = true, retried = false, timeoutMs = 20_000) {
    // Each call starts a trace the services continue (W3C Trace Context), when they export traces.
    const headers = { Accept: 'application/json', traceparent: traceparent() };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (authenticated) headers.Authorization = `Bearer ${await this.accessToken()}`;
    let response;
    let text;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: timeout.signal });
      text = await response.text();
    } catch (error) {
      this.#report(false, path);
      throw timeout.signal.aborted
        ? new ApiError(0, { code: 'timeout', detail: 'The server did not answer in time.' })
        : new ApiError(0, { detail: 'The server cannot be reached. Check your connection.' });
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    if (!response.ok) {
      const error = new ApiError(response.status, data);
      this.#report(!error.transient, path);
      if (authenticated && response.status === 401 && !retried) {
        await this.refresh();
        return this.#send(method, path, body, authenticated, true, timeoutMs);
      }
      throw error;
    }
    this.#report(true);
    return data;
  }

  /// Tells the page whether the servers answer; while they do not, probes the
  /// service that failed with growing pauses until it answers again.
  #report(reachable, path = '') {
    this.dispatchEvent(new CustomEvent('reachability', { detail: reachable }));
    if (reachable || this.probing) return;
    const chat = path.startsWith('/api/rooms') || path.startsWith('/api/ws');
    const probePath = chat && this.session ? '/api/rooms' : '/.well-known/openid-configuration';
    this.probing = (async () => {
      for (let attempt = 0; ; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 1000 * 2 ** attempt)));
        try {
          const headers = probePath === '/api/rooms' ? { Authorization: `Bearer ${this.session?.accessToken}` } : {};
          const response = await fetch(probePath, { headers, signal: /** @type {any} */ (AbortSignal).timeout(10_000) });
          if (response.status < 500) break;
        } catch { /* still down */ }
      }
      this.probing = null;
      this.dispatchEvent(new CustomEvent('reachability', { detail: true }));
    })();
  }

  #start(answer) {
    this.session = {
      user: answer.user ?? this.session?.user ?? null,
      accessToken: answer.accessToken,
      refreshToken: answer.refreshToken,
      idToken: answer.idToken ?? this.session?.idToken,
      expiresAt: Date.now() + answer.expiresIn * 1000,
    };
    saveSession(this.session);
    this.dispatchEvent(new CustomEvent('session', { detail: this.session }));
    return answer;
  }

  #clear() {
    this.session = null;
    localStorage.removeItem(STORAGE_KEY);
  }
}

function loadSession() {
  try {
    const session = JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null');
    return session?.refreshToken ? session : null;
  } catch {
    return null;
  }
}

function saveSession(session) {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}
