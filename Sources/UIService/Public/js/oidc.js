// @ts-check
// Sign-in through an OpenID Connect provider (Keycloak in a cluster): the
// authorization code flow with PKCE (S256), for a public client. Tokens are
// exchanged and refreshed at the provider's token endpoint; the provider's
// own pages do the password and registration part.

import { ApiError } from './api.js';

const PENDING_KEY = 'microchat.oidc.pending';

function randomString(bytes = 32) {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return base64url(data);
}

function base64url(bytes) {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function challengeFor(verifier) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export class OidcClient {
  constructor({ issuer, clientId }) {
    this.issuer = issuer;
    this.clientId = clientId;
    this.discovery = null;
  }

  get redirectUri() { return `${location.origin}/auth/callback`; }

  async metadata() {
    if (!this.discovery) {
      const response = await fetch(`${this.issuer}/.well-known/openid-configuration`);
      if (!response.ok) throw new ApiError(response.status === 404 ? 503 : response.status, { detail: 'The sign-in service is not reachable right now.' });
      this.discovery = await response.json();
    }
    return this.discovery;
  }

  /// Sends the browser to the provider's sign-in page (or its registration page with prompt=create).
  async begin(prompt = null) {
    const metadata = await this.metadata();
    const pending = { verifier: randomString(48), state: randomString(), nonce: randomString() };
    sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: this.clientId,
      redirect_uri: this.redirectUri,
      scope: 'openid profile email',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await challengeFor(pending.verifier),
      code_challenge_method: 'S256',
    });
    if (prompt) query.set('prompt', prompt);
    location.assign(`${metadata.authorization_endpoint}?${query}`);
  }

  isCallback() { return location.pathname === '/auth/callback'; }

  /// Finishes a sign-in the provider sent back: checks the state, trades the code for tokens.
  async complete() {
    const params = new URLSearchParams(location.search);
    const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) || 'null');
    sessionStorage.removeItem(PENDING_KEY);
    history.replaceState(null, '', '/');
    if (params.get('error')) throw new ApiError(401, { code: params.get('error'), detail: params.get('error_description') || 'Sign-in was cancelled.' });
    if (!pending || params.get('state') !== pending.state || !params.get('code')) {
      throw new ApiError(400, { code: 'invalid_state', detail: 'That sign-in link is stale; please sign in again.' });
    }
    const tokens = await this.#token({
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: this.redirectUri,
      client_id: this.clientId,
      code_verifier: pending.verifier,
    });
    // The ID token must be the one minted for this sign-in (its nonce), by this provider, for this page.
    // It came straight from the token endpoint, so its claims are read without checking the signature.
    const claims = idTokenClaims(tokens.idToken);
    const audience = [].concat(claims?.aud ?? []);
    if (!claims || claims.nonce !== pending.nonce || claims.iss !== this.issuer || !audience.includes(this.clientId)) {
      throw new ApiError(401, { code: 'invalid_nonce', detail: 'That sign-in answer was not for this page; please sign in again.' });
    }
    return tokens;
  }

  refresh(refreshToken) {
    return this.#token({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: this.clientId });
  }

  /// Ends the provider's session too, then comes back to the page.
  async logout(idToken) {
    const metadata = await this.metadata();
    if (!metadata.end_session_endpoint) return;
    const query = new URLSearchParams({ client_id: this.clientId, post_logout_redirect_uri: `${location.origin}/` });
    if (idToken) query.set('id_token_hint', idToken);
    location.assign(`${metadata.end_session_endpoint}?${query}`);
  }

  async #token(form) {
    const metadata = await this.metadata();
    let response;
    try {
      response = await fetch(metadata.token_endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams(form),
      });
    } catch {
      throw new ApiError(0, { detail: 'The sign-in service cannot be reached.' });
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new ApiError(response.status >= 500 ? 503 : 401, { code: body.error || 'invalid_grant', detail: body.error_description || 'Please sign in again.' });
    }
    return { accessToken: body.access_token, refreshToken: body.refresh_token, expiresIn: body.expires_in, idToken: body.id_token, user: null };
  }
}

/// The claims of an ID token (a JWT), or null when it cannot be read.
function idTokenClaims(token) {
  const payload = typeof token === 'string' ? token.split('.')[1] : null;
  if (!payload) return null;
  try {
    const text = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    return JSON.parse(decodeURIComponent(escape(text)));
  } catch {
    return null;
  }
}
