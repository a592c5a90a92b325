// keywarden-web: the browser side of Keywarden (the gateway's repository, clients/keywarden-web).
// One plain ES module, no dependencies, no build step: the same file is served by the gateway at
// /keywarden-web.js and published as the npm package `keywarden-web`. Types: keywarden-web.d.ts.
//
//   GatewayClient      short-lived token from the backend-for-frontend, streaming Messages calls, retry-after, abort
//   EncryptedKeyStore  a secret kept in IndexedDB under AES-GCM-256 with a PBKDF2 (>= 600,000 iterations) passphrase key
//   SessionKeyHolder   a secret kept in memory only, forgotten when idle, on page hide (if asked) and on clear()
//   securityNotice()   the operator's bring-your-own-key notice, normalised for display as text
//
// Model output and notices are data, never markup: render them with textContent (renderNotice does).

export const VERSION = '0.1.0';

/** The least PBKDF2-SHA-256 iteration count EncryptedKeyStore writes or accepts (OWASP 2023). */
export const MIN_PBKDF2_ITERATIONS = 600_000;

const STATUS_OF_TYPE = {
  invalid_request_error: 400, authentication_error: 401, billing_error: 402, permission_error: 403,
  not_found_error: 404, request_too_large: 413, rate_limit_error: 429, api_error: 500, overloaded_error: 529,
};
const TYPE_OF_STATUS = Object.fromEntries(Object.entries(STATUS_OF_TYPE).map(([t, s]) => [s, t]));

/**
 * An error answered by the gateway (or upstream through it), in Anthropic's error shape, or a stream that ended with
 * an `error` event. `status` is the HTTP status (for a mid-stream error: the status its type stands for).
 */
export class KeywardenError extends Error {
  constructor(message, { status = 0, type = 'api_error', requestId = null, retryAfterMs = null, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'KeywardenError';
    this.status = status;
    this.type = type;
    this.requestId = requestId;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Whether `error` is the result of an abort (AbortController, GatewayClient.abortAll, MessageStream.abort). */
export function isAbortError(error) {
  return error != null && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

// ---------------------------------------------------------------------------------------------------------------
// retry-after

/**
 * How long a response asks the client to wait, in milliseconds: `retry-after-ms` (a number of milliseconds) wins over
 * `retry-after` (seconds, or an HTTP date); null when neither is usable.
 */
export function retryAfterMs(headers, now = Date.now()) {
  const ms = headers.get('retry-after-ms');
  if (ms != null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) {
    return Number(ms);
  }
  const value = headers.get('retry-after');
  if (value == null) {
    return null;
  }
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) {
    return Number(v) * 1000;
  }
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

// ---------------------------------------------------------------------------------------------------------------
// Server-sent events

/**
 * An incremental parser of the `text/event-stream` format (WHATWG HTML, "Server-sent events"): lines end with LF,
 * CRLF or a lone CR (also when a CRLF is split between two chunks); `data` lines of one event are joined with LF;
 * comments (`:`) are skipped; a leading BOM is dropped; `end()` dispatches a last event that had no blank line.
 */
export class SSEDecoder {
  #pending = '';
  #data = [];
  #event = '';
  #id = null;
  #afterCR = false;
  #started = false;

  /** Feeds decoded text; returns the events it completed ({event, data, id}). */
  push(text) {
    const out = [];
    let s = text;
    if (!this.#started && s.length > 0) {
      this.#started = true;
      if (s.charCodeAt(0) === 0xfeff) {
        s = s.slice(1);
      }
    }
    let start = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 10 && this.#afterCR) {
        this.#afterCR = false;
        start = i + 1;
        continue;
      }
      this.#afterCR = false;
      if (c === 10 || c === 13) {
        this.#line(this.#pending + s.slice(start, i), out);
        this.#pending = '';
        this.#afterCR = c === 13;
        start = i + 1;
      }
    }
    this.#pending += s.slice(start);
    return out;
  }

  /** The stream ended: completes the last line and dispatches an event left without its blank line. */
  end() {
    const out = [];
    if (this.#pending !== '') {
      this.#line(this.#pending, out);
      this.#pending = '';
    }
    this.#dispatch(out);
    return out;
  }

  #line(line, out) {
    if (line === '') {
      this.#dispatch(out);
      return;
    }
    if (line.charCodeAt(0) === 58) { // ':' comment
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) {
      value = value.slice(1);
    }
    if (field === 'data') {
      this.#data.push(value);
    } else if (field === 'event') {
      this.#event = value;
    } else if (field === 'id' && !value.includes('\0')) {
      this.#id = value;
    }
  }

  #dispatch(out) {
    if (this.#data.length > 0) {
      out.push({ event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id });
    }
    this.#data = [];
    this.#event = '';
  }
}

/** The server-sent events of a response body (a ReadableStream of bytes), as they arrive. */
export async function* readSSE(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const sse = new SSEDecoder();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      yield* sse.push(decoder.decode(value, { stream: true }));
    }
    finished = true;
    yield* sse.push(decoder.decode());
    yield* sse.end();
  } finally {
    if (!finished) {
      reader.cancel().catch(() => {});
    }
    reader.releaseLock();
  }
}

const MESSAGE_EVENTS = new Set(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop',
  'message_delta', 'message_stop']);

/**
 * The Messages API stream events of a response body, parsed: `ping` and event types this version does not know are
 * skipped; an `error` event ends the stream with a KeywardenError; a known event whose data is not JSON too.
 */
export async function* messageEvents(body) {
  for await (const sse of readSSE(body)) {
    if (sse.event === 'error') {
      let parsed = null;
      try {
        parsed = JSON.parse(sse.data);
      } catch {
        // reported below without details
      }
      const type = typeof parsed?.error?.type === 'string' ? parsed.error.type : 'api_error';
      const message = typeof parsed?.error?.message === 'string' ? parsed.error.message : 'the stream ended with an error';
      throw new KeywardenError(message, { status: STATUS_OF_TYPE[type] ?? 500, type, requestId: parsed?.request_id ?? null });
    }
    if (!MESSAGE_EVENTS.has(sse.event)) {
      continue;
    }
    let data;
    try {
      data = JSON.parse(sse.data);
    } catch (cause) {
      throw new KeywardenError(`the stream sent a ${sse.event} event that is not JSON`, { status: 502, cause });
    }
    yield data;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// GatewayClient

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(signal.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function anySignal(signals) {
  const present = signals.filter(Boolean);
  if (present.length === 1) {
    return present[0];
  }
  if (typeof AbortSignal.any === 'function') {
    return AbortSignal.any(present);
  }
  const controller = new AbortController();
  for (const s of present) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    s.addEventListener('abort', () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}

/** The KeywardenError for a non-2xx response (its body read, at most 64 KiB of it parsed). */
export async function errorFromResponse(response) {
  let text = '';
  try {
    text = (await response.text()).slice(0, 65536);
  } catch {
    // the body could not be read: the status still tells
  }
  let parsed = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (an HTML error page from a proxy, say)
  }
  const status = response.status;
  const type = typeof parsed?.error?.type === 'string' ? parsed.error.type : (TYPE_OF_STATUS[status] ?? 'api_error');
  const message = typeof parsed?.error?.message === 'string' ? parsed.error.message
    : `the gateway answered HTTP ${status}${response.statusText ? ' ' + response.statusText : ''} without details`;
  return new KeywardenError(message, {
    status, type, requestId: parsed?.request_id ?? response.headers.get('request-id'),
    retryAfterMs: retryAfterMs(response.headers),
  });
}

function normaliseToken(raw, now) {
  if (typeof raw === 'string') {
    return { token: raw, expiresAt: Infinity, refreshAt: Infinity };
  }
  if (raw == null || typeof raw.token !== 'string' || raw.token === '') {
    throw new KeywardenError('the token endpoint answered without a token', { status: 502 });
  }
  let expiresAt = Infinity;
  if (typeof raw.expires_in === 'number' && raw.expires_in > 0) {
    expiresAt = now + raw.expires_in * 1000; // relative: immune to a skewed browser clock
  } else if (typeof raw.expires_at === 'string' && !Number.isNaN(Date.parse(raw.expires_at))) {
    expiresAt = Date.parse(raw.expires_at);
  } else if (raw.expiresAt instanceof Date || typeof raw.expiresAt === 'number') {
    expiresAt = Number(raw.expiresAt);
  }
  return { token: raw.token, expiresAt, refreshAt: expiresAt };
}

/**
 * Calls the gateway from a browser. By default it holds a short-lived token (`kw_tmp_…`) obtained from the
 * backend-for-frontend (`POST /api/tokens` with the session cookie and the CSRF header; a page that has its own
 * backend passes `getToken` instead), renews it before it expires (and once after a 401), streams Messages API calls
 * (`stream()`), waits and retries on 429 as `retry-after-ms` / `retry-after` say (at most `maxRetries` times, never
 * longer than `maxRetryDelayMs`), and lets every call be aborted. The token lives in this object only.
 */
export class GatewayClient {
  #o;
  #fetch;
  #current = null;
  #refreshing = null;
  #csrf = null;
  #controllers = new Set();

  /**
   * @param {object} [options] see keywarden-web.d.ts (GatewayClientOptions)
   */
  constructor(options = {}) {
    const o = {
      baseUrl: '', tokenUrl: null, sessionUrl: null, chatPath: '/api/chat', messagesPath: '/v1/messages',
      getToken: null, csrfToken: null, tokenRequest: {}, credentials: 'same-origin', refreshMarginMs: 60_000,
      maxRetries: 2, maxRetryDelayMs: 60_000, anthropicVersion: '2023-06-01', headers: {}, onRetry: null, fetch: null,
      ...options,
    };
    o.baseUrl = String(o.baseUrl).replace(/\/+$/, '');
    o.tokenUrl ??= o.baseUrl + '/api/tokens';
    o.sessionUrl ??= o.baseUrl + '/api/session';
    if (!Number.isInteger(o.maxRetries) || o.maxRetries < 0 || o.maxRetries > 10) {
      throw new RangeError('maxRetries must be an integer from 0 to 10');
    }
    this.#o = o;
    this.#fetch = o.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** A token valid for at least the refresh margin (or half its lifetime, if shorter), fetched or renewed if needed. */
  async token({ signal } = {}) {
    const now = Date.now();
    if (this.#current && now < this.#current.refreshAt) {
      return this.#current.token;
    }
    if (!this.#refreshing) {
      this.#refreshing = this.#fetchToken(signal).then((t) => {
        const lifetime = t.expiresAt - Date.now();
        t.refreshAt = Number.isFinite(lifetime)
          ? Date.now() + Math.max(lifetime - this.#o.refreshMarginMs, lifetime / 2) : Infinity;
        this.#current = t;
        return t;
      }).finally(() => {
        this.#refreshing = null;
      });
    }
    return (await this.#refreshing).token;
  }

  /** When the current token expires (ms since the epoch), or null before the first one. */
  get tokenExpiresAt() {
    return this.#current ? this.#current.expiresAt : null;
  }

  /** Forgets the current token (and the CSRF token read from the session): the next call fetches new ones. */
  invalidateToken() {
    this.#current = null;
    this.#csrf = null;
  }

  async #fetchToken(signal) {
    if (typeof this.#o.getToken === 'function') {
      return normaliseToken(await this.#o.getToken({ signal }), Date.now());
    }
    for (let attempt = 0; ; attempt++) {
      const csrf = await this.#csrfToken(signal);
      const response = await this.#fetch(this.#o.tokenUrl, {
        method: 'POST', credentials: this.#o.credentials, signal,
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify(this.#o.tokenRequest ?? {}),
      });
      if (response.ok) {
        return normaliseToken(await response.json(), Date.now());
      }
      // a CSRF token read from an older session: read it again once
      if (response.status === 403 && attempt === 0 && this.#o.csrfToken == null) {
        this.#csrf = null;
        await response.body?.cancel();
        continue;
      }
      throw await errorFromResponse(response);
    }
  }

  async #csrfToken(signal) {
    const given = this.#o.csrfToken;
    if (typeof given === 'function') {
      return await given();
    }
    if (typeof given === 'string') {
      return given;
    }
    if (this.#csrf == null) {
      const response = await this.#fetch(this.#o.sessionUrl, {
        credentials: this.#o.credentials, signal, headers: { accept: 'application/json' },
      });
      if (!response.ok) {
        throw await errorFromResponse(response);
      }
      const session = await response.json();
      if (typeof session?.csrf_token !== 'string') {
        throw new KeywardenError('the session answer has no csrf_token', { status: 502 });
      }
      this.#csrf = session.csrf_token;
    }
    return this.#csrf;
  }

  #track(signal) {
    const controller = new AbortController();
    this.#controllers.add(controller);
    return { controller, signal: anySignal([controller.signal, signal]), done: () => this.#controllers.delete(controller) };
  }

  /** Aborts every call and stream of this client that is still running. */
  abortAll(reason) {
    for (const c of this.#controllers) {
      c.abort(reason);
    }
    this.#controllers.clear();
  }

  /**
   * POSTs `body` and answers the Response once it is 2xx, after the retries 429 and an expired token allow. `auth` is
   * 'token' (a short-lived token in Authorization: Bearer) or 'session' (the session cookie and x-csrf-token).
   */
  async #post(path, body, { signal, headers = {}, auth = 'token' }) {
    const url = this.#o.baseUrl + path;
    const payload = JSON.stringify(body);
    let renewed = false;
    for (let retries = 0; ;) {
      const h = { 'content-type': 'application/json', 'anthropic-version': this.#o.anthropicVersion, ...this.#o.headers, ...headers };
      if (auth === 'token') {
        h.authorization = 'Bearer ' + await this.token({ signal });
      } else {
        h['x-csrf-token'] = await this.#csrfToken(signal);
      }
      const response = await this.#fetch(url, {
        method: 'POST', headers: h, body: payload, signal, credentials: auth === 'session' ? this.#o.credentials : 'omit',
      });
      if (response.ok) {
        return response;
      }
      if (response.status === 429 && retries < this.#o.maxRetries) {
        const delay = retryAfterMs(response.headers) ?? Math.min(1000 * 2 ** retries, 8000);
        if (delay <= this.#o.maxRetryDelayMs) {
          retries++;
          await response.body?.cancel();
          this.#o.onRetry?.({ attempt: retries, delayMs: delay, status: 429 });
          await sleep(delay, signal);
          continue;
        }
      }
      if (response.status === 401 && auth === 'token' && !renewed) {
        renewed = true; // the token expired, was used up or revoked: one new token, one more try
        await response.body?.cancel();
        this.invalidateToken();
        continue;
      }
      throw await errorFromResponse(response);
    }
  }

  /** A non-streaming Messages API call: the Message as parsed JSON. */
  async createMessage(body, { signal, headers, path = this.#o.messagesPath } = {}) {
    const t = this.#track(signal);
    try {
      const response = await this.#post(path, { ...body, stream: false }, { signal: t.signal, headers });
      return await response.json();
    } finally {
      t.done();
    }
  }

  /**
   * A streaming Messages API call (`/v1/messages` by default) with the short-lived token. Nothing is sent until the
   * returned MessageStream is iterated (or its `finalText()` / `response()` called).
   */
  stream(body, { signal, headers, path = this.#o.messagesPath } = {}) {
    return new MessageStream((s) => this.#post(path, { ...body, stream: true }, { signal: s, headers }), this.#track(signal));
  }

  /**
   * A streaming call of the backend-for-frontend's chat endpoint (`POST /api/chat`) with the session cookie and the
   * CSRF header: `body` is what that endpoint takes ({messages: [{role:'user', content}], conversation_id?}); the
   * server fixes model, system prompt and caps. The answer has the Messages API's event shapes.
   */
  chat(body, { signal, headers, path = this.#o.chatPath } = {}) {
    return new MessageStream((s) => this.#post(path, { ...body, stream: true }, { signal: s, headers, auth: 'session' }),
      this.#track(signal));
  }
}

/**
 * One streaming answer. Iterate it for the Messages API events (`for await (const event of stream)`), or `text()` for
 * the text deltas only; `abort()` cancels the request and the stream (iteration then throws an AbortError).
 */
export class MessageStream {
  #start;
  #tracked;
  #response = null;
  #consumed = false;

  constructor(start, tracked) {
    this.#start = start;
    this.#tracked = tracked;
  }

  /** Cancels the call: the request if it is still being sent, the stream if it is being read. */
  abort(reason) {
    this.#tracked.controller.abort(reason);
  }

  /** The signal that aborts this call. */
  get signal() {
    return this.#tracked.signal;
  }

  /** The HTTP response once its status is 2xx (after retries); starts the call if it has not started. */
  response() {
    if (!this.#response) {
      this.#response = this.#start(this.#tracked.signal);
      this.#response.catch(() => this.#tracked.done());
    }
    return this.#response;
  }

  async *[Symbol.asyncIterator]() {
    if (this.#consumed) {
      throw new Error('a MessageStream can be read once');
    }
    this.#consumed = true;
    try {
      const response = await this.response();
      yield* messageEvents(response.body);
    } finally {
      this.#tracked.done();
    }
  }

  /** The text deltas, as they arrive. */
  async *text() {
    for await (const event of this) {
      if (event.type === 'content_block_delta' && event.delta?.type === 'text_delta') {
        yield event.delta.text;
      }
    }
  }

  /** The whole text once the stream ends. */
  async finalText() {
    let text = '';
    for await (const piece of this.text()) {
      text += piece;
    }
    return text;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// EncryptedKeyStore

/** A refusal of EncryptedKeyStore; `code` is one of not_found, wrong_passphrase, tampered, weak_kdf, invalid_record, exists. */
export class KeyStoreError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'KeyStoreError';
    this.code = code;
  }
}

const RECORD_VERSION = 1;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const VERIFIER = 'keywarden-web passphrase check v1';
const utf8 = new TextEncoder();

function aad(name, part) {
  return utf8.encode(`keywarden-web/v${RECORD_VERSION}|${part}|${name}`);
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function bytes(value, length) {
  return value instanceof Uint8Array && value.length === length;
}

/**
 * Secrets (an Anthropic key, say) kept in this browser's IndexedDB, encrypted with AES-GCM-256 under a key derived
 * from the user's passphrase by PBKDF2-SHA-256 (at least 600,000 iterations; the count is stored with the record and
 * checked when read). The derived key is non-extractable and never stored; each record has its own random 16-byte salt,
 * each encryption its own random 12-byte IV, stored beside the ciphertext; the record's name is bound as additional
 * authenticated data, so a record copied under another name does not open. A wrong passphrase is told apart from a
 * damaged record (a passphrase check value is encrypted beside the secret) and neither changes what is stored; a
 * record is replaced only with its current passphrase or `{overwrite: true}`. Nothing goes to localStorage.
 *
 * Residual risk: script running in this origin (XSS, a malicious dependency) can read the passphrase as it is typed
 * or the secret once decrypted; the encryption protects the stored copy (a copied disk or profile), not the page.
 */
export class EncryptedKeyStore {
  #dbName;
  #storeName;
  #iterations;
  #idb;
  #subtle;
  #crypto;
  #db = null;

  constructor({ dbName = 'keywarden-web', storeName = 'encrypted-keys', iterations = MIN_PBKDF2_ITERATIONS,
    indexedDB = globalThis.indexedDB, crypto = globalThis.crypto } = {}) {
    if (!Number.isInteger(iterations) || iterations < MIN_PBKDF2_ITERATIONS) {
      throw new RangeError(`iterations must be an integer of at least ${MIN_PBKDF2_ITERATIONS}`);
    }
    if (!indexedDB || !crypto?.subtle) {
      throw new KeyStoreError('unsupported', 'this browser has no IndexedDB or Web Crypto (a secure context is needed: https or localhost)');
    }
    this.#dbName = dbName;
    this.#storeName = storeName;
    this.#iterations = iterations;
    this.#idb = indexedDB;
    this.#crypto = crypto;
    this.#subtle = crypto.subtle;
  }

  async #database() {
    if (!this.#db) {
      const open = this.#idb.open(this.#dbName, 1);
      open.onupgradeneeded = () => {
        if (!open.result.objectStoreNames.contains(this.#storeName)) {
          open.result.createObjectStore(this.#storeName, { keyPath: 'name' });
        }
      };
      this.#db = await request(open);
      this.#db.onversionchange = () => this.close();
    }
    return this.#db;
  }

  async #run(mode, fn) {
    const db = await this.#database();
    const tx = db.transaction(this.#storeName, mode);
    const result = await request(fn(tx.objectStore(this.#storeName)));
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new KeyStoreError('invalid_record', 'the IndexedDB transaction was aborted'));
    });
    return result;
  }

  static #checkName(name) {
    if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
      throw new TypeError('name must be a string of 1 to 200 characters');
    }
  }

  static #checkPassphrase(passphrase) {
    if (typeof passphrase !== 'string' || passphrase.length === 0) {
      throw new TypeError('passphrase must be a non-empty string');
    }
  }

  async #deriveKey(passphrase, salt, iterations) {
    const material = await this.#subtle.importKey('raw', utf8.encode(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
    return this.#subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, material,
      { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  }

  async #seal(key, name, part, plaintext) {
    const iv = this.#crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const ciphertext = new Uint8Array(await this.#subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(name, part), tagLength: 128 },
      key, utf8.encode(plaintext)));
    return { iv, ciphertext };
  }

  async #unseal(key, name, part, sealed) {
    const plain = await this.#subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv, additionalData: aad(name, part), tagLength: 128 },
      key, sealed.ciphertext);
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  }

  static #validate(record, name) {
    if (record == null) {
      throw new KeyStoreError('not_found', `no stored key named "${name}"`);
    }
    if (record.version !== RECORD_VERSION || record.kdf?.name !== 'PBKDF2' || record.kdf?.hash !== 'SHA-256'
        || record.cipher !== 'AES-GCM-256' || !bytes(record.kdf?.salt, SALT_BYTES)
        || !bytes(record.secret?.iv, IV_BYTES) || !(record.secret?.ciphertext instanceof Uint8Array)
        || !bytes(record.verifier?.iv, IV_BYTES) || !(record.verifier?.ciphertext instanceof Uint8Array)) {
      throw new KeyStoreError('invalid_record', `the stored record "${name}" is not a keywarden-web v${RECORD_VERSION} record`);
    }
    const n = record.kdf.iterations;
    if (!Number.isInteger(n) || n < MIN_PBKDF2_ITERATIONS) {
      throw new KeyStoreError('weak_kdf', `the stored record "${name}" asks for ${n} PBKDF2 iterations, fewer than `
        + `${MIN_PBKDF2_ITERATIONS}: refused (it was written by something else or altered)`);
    }
  }

  /** Decrypts a validated record; a wrong passphrase and a damaged record give different errors. */
  async #open(record, passphrase) {
    const key = await this.#deriveKey(passphrase, record.kdf.salt, record.kdf.iterations);
    let check;
    try {
      check = await this.#unseal(key, record.name, 'verifier', record.verifier);
    } catch {
      check = null;
    }
    if (check !== VERIFIER) {
      throw new KeyStoreError('wrong_passphrase', `wrong passphrase for "${record.name}": nothing was decrypted or changed`);
    }
    try {
      return await this.#unseal(key, record.name, 'secret', record.secret);
    } catch (cause) {
      throw new KeyStoreError('tampered', `the stored record "${record.name}" failed AES-GCM authentication: it was altered `
        + 'or damaged, so it was not decrypted', { cause });
    }
  }

  async #record(name) {
    return this.#run('readonly', (store) => store.get(name));
  }

  /**
   * Encrypts `secret` under `passphrase` and stores it as `name`. An existing record is replaced only when
   * `passphrase` opens it (else wrong_passphrase, and it stays as it was) or with `{overwrite: true}`.
   */
  async put(name, secret, passphrase, { overwrite = false } = {}) {
    EncryptedKeyStore.#checkName(name);
    EncryptedKeyStore.#checkPassphrase(passphrase);
    if (typeof secret !== 'string' || secret.length === 0) {
      throw new TypeError('secret must be a non-empty string');
    }
    const existing = await this.#record(name);
    if (existing && !overwrite) {
      EncryptedKeyStore.#validate(existing, name);
      await this.#open(existing, passphrase);
    }
    const salt = this.#crypto.getRandomValues(new Uint8Array(SALT_BYTES));
    const key = await this.#deriveKey(passphrase, salt, this.#iterations);
    const record = {
      name, version: RECORD_VERSION, cipher: 'AES-GCM-256',
      kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: this.#iterations, salt },
      secret: await this.#seal(key, name, 'secret', secret),
      verifier: await this.#seal(key, name, 'verifier', VERIFIER),
      created_at: new Date().toISOString(),
    };
    await this.#run('readwrite', (store) => store.put(record));
  }

  /** The secret stored as `name`, decrypted with `passphrase`. */
  async get(name, passphrase) {
    EncryptedKeyStore.#checkName(name);
    EncryptedKeyStore.#checkPassphrase(passphrase);
    const record = await this.#record(name);
    EncryptedKeyStore.#validate(record, name);
    return this.#open(record, passphrase);
  }

  /** What is known about a record without its passphrase ({name, iterations, created_at}), or null. */
  async info(name) {
    const record = await this.#record(name);
    return record ? { name: record.name, iterations: record.kdf?.iterations, created_at: record.created_at } : null;
  }

  /** The names of the stored records. */
  async list() {
    return (await this.#run('readonly', (store) => store.getAllKeys())).map(String);
  }

  /** Deletes one record (no passphrase needed: deleting reveals nothing). */
  async delete(name) {
    EncryptedKeyStore.#checkName(name);
    await this.#run('readwrite', (store) => store.delete(name));
  }

  /** Deletes every record of this store. */
  async clear() {
    await this.#run('readwrite', (store) => store.clear());
  }

  /** Closes the database connection (the store opens it again when used). */
  close() {
    this.#db?.close();
    this.#db = null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// SessionKeyHolder

/**
 * A secret held in this object's memory only (never in any storage): forgotten after `idleTimeoutMs` without use,
 * when the page is hidden or left if configured (`clearOnPageHide`: pagehide; `clearWhenHidden`: visibilitychange to
 * hidden), and on clear(). JavaScript cannot wipe a string from memory: forgetting drops the reference.
 */
export class SessionKeyHolder {
  #value = null;
  #lastUse = 0;
  #timer = null;
  #idle;
  #onClear;
  #listeners = [];

  constructor({ idleTimeoutMs = 15 * 60_000, clearOnPageHide = false, clearWhenHidden = false, onClear = null,
    target = globalThis } = {}) {
    if (!(idleTimeoutMs > 0)) {
      throw new RangeError('idleTimeoutMs must be a positive number of milliseconds');
    }
    this.#idle = idleTimeoutMs;
    this.#onClear = onClear;
    if (clearOnPageHide && target?.addEventListener) {
      this.#listen(target, 'pagehide', () => this.clear('pagehide'));
    }
    if (clearWhenHidden && target?.document?.addEventListener) {
      this.#listen(target.document, 'visibilitychange', () => {
        if (target.document.visibilityState === 'hidden') {
          this.clear('hidden');
        }
      });
    }
  }

  #listen(target, type, fn) {
    target.addEventListener(type, fn);
    this.#listeners.push(() => target.removeEventListener(type, fn));
  }

  #touch() {
    this.#lastUse = Date.now();
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.clear('idle'), this.#idle);
  }

  #expired() {
    return this.#value !== null && Date.now() - this.#lastUse >= this.#idle;
  }

  /** Holds `value` (any non-null value: a key string, a CryptoKey) and starts the idle clock. */
  set(value) {
    if (value == null) {
      throw new TypeError('value must not be null; use clear() to forget it');
    }
    this.#value = value;
    this.#touch();
  }

  /** The value, or null once forgotten; a use restarts the idle clock. */
  get() {
    if (this.#expired()) {
      this.clear('idle'); // timers of background tabs may run late: the clock decides
    }
    if (this.#value === null) {
      return null;
    }
    this.#touch();
    return this.#value;
  }

  /** Whether a value is held (does not count as a use). */
  has() {
    if (this.#expired()) {
      this.clear('idle');
    }
    return this.#value !== null;
  }

  /** Forgets the value; `onClear(reason)` is told when there was one. */
  clear(reason = 'cleared') {
    const had = this.#value !== null;
    this.#value = null;
    clearTimeout(this.#timer);
    this.#timer = null;
    if (had) {
      this.#onClear?.(reason);
    }
  }

  /** clear() and stop listening to page events. */
  dispose() {
    this.clear('disposed');
    this.#listeners.forEach((remove) => remove());
    this.#listeners = [];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Security notice

function plainText(value, max) {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/**
 * A BYOK notice as served by GET /api/byok/notice, normalised so it can be shown safely: strings only, bounded, with
 * modes as a list of {id, title, description}. Whatever else the object holds is dropped.
 */
export function normaliseNotice(raw) {
  const title = plainText(raw?.title, 200) || 'Before you enter your key';
  const paragraphs = (Array.isArray(raw?.paragraphs) ? raw.paragraphs : [])
    .filter((p) => typeof p === 'string' && p.trim() !== '').slice(0, 50).map((p) => p.slice(0, 4000));
  const modes = [];
  const source = raw?.modes && typeof raw.modes === 'object' ? raw.modes : {};
  const entries = Array.isArray(source) ? source.map((m) => [m?.id ?? m?.mode, m]) : Object.entries(source);
  for (const [id, value] of entries.slice(0, 10)) {
    if (typeof id !== 'string') {
      continue;
    }
    if (typeof value === 'string') {
      modes.push({ id, title: id, description: value.slice(0, 4000) });
    } else if (value && typeof value === 'object') {
      modes.push({ id, title: plainText(value.title ?? value.label ?? value.name, 200) || id,
        description: plainText(value.description ?? value.text ?? value.summary, 4000) });
    }
  }
  return { title, paragraphs, modes };
}

/** Fetches the operator's bring-your-own-key security notice (GET /api/byok/notice) and normalises it. */
export async function securityNotice({ baseUrl = '', url = null, signal, fetch: f = null, credentials = 'same-origin' } = {}) {
  const response = await (f ?? globalThis.fetch.bind(globalThis))(url ?? String(baseUrl).replace(/\/+$/, '') + '/api/byok/notice',
    { signal, credentials, headers: { accept: 'application/json' } });
  if (!response.ok) {
    throw await errorFromResponse(response);
  }
  return normaliseNotice(await response.json());
}

/** A <section> showing a (normalised) notice, built with textContent only: no markup in it is ever interpreted. */
export function renderNotice(notice, doc = globalThis.document) {
  const n = normaliseNotice(notice);
  const section = doc.createElement('section');
  section.className = 'kw-notice';
  const heading = doc.createElement('h2');
  heading.textContent = n.title;
  section.append(heading);
  for (const p of n.paragraphs) {
    const el = doc.createElement('p');
    el.textContent = p;
    section.append(el);
  }
  if (n.modes.length > 0) {
    const list = doc.createElement('dl');
    for (const m of n.modes) {
      const dt = doc.createElement('dt');
      dt.textContent = m.title;
      const dd = doc.createElement('dd');
      dd.textContent = m.description;
      list.append(dt, dd);
    }
    section.append(list);
  }
  return section;
}
