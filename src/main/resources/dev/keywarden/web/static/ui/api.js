// The backend-for-frontend calls of the UI itself (sign-in, session, configuration).
import { errorFromResponse } from '/keywarden-web.js';

const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };

/** The signed-in session ({user, csrf_token, session}) or null. */
export async function currentSession() {
  const r = await fetch('/api/session', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (r.status === 401) {
    return null;
  }
  if (!r.ok) {
    throw await errorFromResponse(r);
  }
  return r.json();
}

/** What the sign-in page offers; local sign-in only if the gateway cannot say. */
export async function publicConfig() {
  try {
    const r = await fetch('/api/config', { headers: { accept: 'application/json' } });
    if (r.ok) {
      return await r.json();
    }
  } catch {
    // below
  }
  return { sign_in: { local: true, oidc: null } };
}

export async function signIn(username, password) {
  const r = await fetch('/api/session', {
    method: 'POST', headers: JSON_HEADERS, credentials: 'same-origin', body: JSON.stringify({ username, password }),
  });
  if (!r.ok) {
    throw await errorFromResponse(r);
  }
  return r.json();
}

export async function signOut(csrfToken) {
  const r = await fetch('/api/session', {
    method: 'DELETE', headers: { accept: 'application/json', 'x-csrf-token': csrfToken }, credentials: 'same-origin',
  });
  if (!r.ok && r.status !== 401) {
    throw await errorFromResponse(r);
  }
}

async function jsonCall(method, path, csrfToken, body) {
  const headers = { accept: 'application/json' };
  if (csrfToken) {
    headers['x-csrf-token'] = csrfToken;
  }
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  const r = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) {
    throw await errorFromResponse(r);
  }
  return r.json();
}

/** The operator's BYOK notice: {enabled, modes, notice} (public). */
export const byokNotice = () => jsonCall('GET', '/api/byok/notice');
/** The user's own key: {mode, state, fingerprint, created_at, message}; never the key. */
export const byokStatus = () => jsonCall('GET', '/api/byok');
export const byokAdd = (csrfToken, key, mode, passphrase) =>
  jsonCall('POST', '/api/byok', csrfToken, passphrase == null ? { key, mode } : { key, mode, passphrase });
export const byokUnlock = (csrfToken, passphrase) => jsonCall('POST', '/api/byok/unlock', csrfToken, { passphrase });
export const byokDelete = (csrfToken) => jsonCall('DELETE', '/api/byok', csrfToken);
