// Types of keywarden-web.js (hand-written: the library has no build step).

export const VERSION: string;
/** The least PBKDF2-SHA-256 iteration count EncryptedKeyStore writes or accepts (600,000). */
export const MIN_PBKDF2_ITERATIONS: number;

/** An error in Anthropic's shape from the gateway, or an `error` event that ended a stream. */
export class KeywardenError extends Error {
  constructor(message: string, options?: { status?: number; type?: string; requestId?: string | null; retryAfterMs?: number | null; cause?: unknown });
  readonly name: 'KeywardenError';
  /** HTTP status (for a mid-stream error: the status its type stands for, e.g. 529 for overloaded_error). */
  status: number;
  /** Anthropic error type: rate_limit_error, billing_error, permission_error, … */
  type: string;
  requestId: string | null;
  /** What retry-after-ms / retry-after asked for, in milliseconds. */
  retryAfterMs: number | null;
}

export function isAbortError(error: unknown): boolean;
/** `retry-after-ms` (ms) wins over `retry-after` (seconds or HTTP date); null when neither is usable. */
export function retryAfterMs(headers: Headers, now?: number): number | null;
export function errorFromResponse(response: Response): Promise<KeywardenError>;

export interface ServerSentEvent {
  event: string;
  data: string;
  id: string | null;
}
/** Incremental text/event-stream parser (LF, CRLF, CR; multi-line data; last event without a blank line). */
export class SSEDecoder {
  push(text: string): ServerSentEvent[];
  end(): ServerSentEvent[];
}
export function readSSE(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent, void, undefined>;

/** A Messages API stream event (message_start, content_block_delta, …). */
export interface MessageStreamEvent {
  type: string;
  [field: string]: unknown;
}
/** Messages API events: ping and unknown events skipped, `error` thrown as KeywardenError. */
export function messageEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<MessageStreamEvent, void, undefined>;

export interface TokenAnswer {
  token: string;
  /** RFC 3339 */
  expires_at?: string;
  /** seconds; preferred over expires_at (immune to clock skew) */
  expires_in?: number;
  [field: string]: unknown;
}

export interface RetryInfo {
  attempt: number;
  delayMs: number;
  status: number;
}

export interface GatewayClientOptions {
  /** The gateway's origin ('' = this page's origin). */
  baseUrl?: string;
  /** Where to POST for a short-lived token (default `${baseUrl}/api/tokens`, session cookie + x-csrf-token). */
  tokenUrl?: string;
  /** Where to read the CSRF token when none is given (default `${baseUrl}/api/session`). */
  sessionUrl?: string;
  /** Path of the backend-for-frontend's chat endpoint (default /api/chat). */
  chatPath?: string;
  /** Path of the Messages API (default /v1/messages). */
  messagesPath?: string;
  /** Your own way to obtain a token (e.g. from your backend); replaces the POST to tokenUrl. */
  getToken?: (options: { signal?: AbortSignal }) => Promise<TokenAnswer | string>;
  /** The session's CSRF token, or a function giving it; default: read from sessionUrl. */
  csrfToken?: string | (() => string | Promise<string>);
  /** Body of the token request (default {}). */
  tokenRequest?: Record<string, unknown>;
  /** fetch credentials for the session calls (default 'same-origin'). */
  credentials?: RequestCredentials;
  /** Renew a token this long before it expires (or at half its lifetime, if that is later). Default 60,000. */
  refreshMarginMs?: number;
  /** Retries of a 429 (default 2, at most 10). */
  maxRetries?: number;
  /** A 429 asking to wait longer than this is not retried (default 60,000). */
  maxRetryDelayMs?: number;
  /** anthropic-version header (default 2023-06-01). */
  anthropicVersion?: string;
  /** Extra headers on every call. */
  headers?: Record<string, string>;
  /** Told before each wait for a retry. */
  onRetry?: (info: RetryInfo) => void;
  fetch?: typeof fetch;
}

export interface CallOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  path?: string;
}

export class GatewayClient {
  constructor(options?: GatewayClientOptions);
  /** A valid token, fetched or renewed if needed. */
  token(options?: { signal?: AbortSignal }): Promise<string>;
  readonly tokenExpiresAt: number | null;
  invalidateToken(): void;
  abortAll(reason?: unknown): void;
  /** Non-streaming Messages API call. */
  createMessage(body: Record<string, unknown>, options?: CallOptions): Promise<Record<string, unknown>>;
  /** Streaming Messages API call with the short-lived token. */
  stream(body: Record<string, unknown>, options?: CallOptions): MessageStream;
  /** Streaming call of POST /api/chat with the session cookie and CSRF header. */
  chat(body: { messages: Array<{ role: 'user' | 'assistant'; content: unknown }>; conversation_id?: string; [field: string]: unknown },
    options?: CallOptions): MessageStream;
}

export class MessageStream implements AsyncIterable<MessageStreamEvent> {
  abort(reason?: unknown): void;
  readonly signal: AbortSignal;
  response(): Promise<Response>;
  [Symbol.asyncIterator](): AsyncIterator<MessageStreamEvent>;
  text(): AsyncGenerator<string, void, undefined>;
  finalText(): Promise<string>;
}

export type KeyStoreErrorCode = 'not_found' | 'wrong_passphrase' | 'tampered' | 'weak_kdf' | 'invalid_record' | 'unsupported';
export class KeyStoreError extends Error {
  readonly name: 'KeyStoreError';
  code: KeyStoreErrorCode;
}

export interface EncryptedKeyStoreOptions {
  dbName?: string;
  storeName?: string;
  /** PBKDF2 iterations for new records; at least 600,000 (the default). */
  iterations?: number;
  indexedDB?: IDBFactory;
  crypto?: Crypto;
}

export class EncryptedKeyStore {
  constructor(options?: EncryptedKeyStoreOptions);
  /** Replaces an existing record only when `passphrase` opens it, or with overwrite. */
  put(name: string, secret: string, passphrase: string, options?: { overwrite?: boolean }): Promise<void>;
  get(name: string, passphrase: string): Promise<string>;
  info(name: string): Promise<{ name: string; iterations: number; created_at: string } | null>;
  list(): Promise<string[]>;
  delete(name: string): Promise<void>;
  clear(): Promise<void>;
  close(): void;
}

export type ClearReason = 'idle' | 'pagehide' | 'hidden' | 'cleared' | 'disposed' | string;
export interface SessionKeyHolderOptions {
  /** Forget the value after this long without use (default 15 minutes). */
  idleTimeoutMs?: number;
  /** Forget on pagehide (leaving the page, or it entering the back/forward cache). */
  clearOnPageHide?: boolean;
  /** Forget when the page becomes hidden (another tab, minimised). */
  clearWhenHidden?: boolean;
  onClear?: (reason: ClearReason) => void;
  target?: Window;
}
export class SessionKeyHolder<T = string> {
  constructor(options?: SessionKeyHolderOptions);
  set(value: T): void;
  get(): T | null;
  has(): boolean;
  clear(reason?: ClearReason): void;
  dispose(): void;
}

export interface SecurityNotice {
  title: string;
  paragraphs: string[];
  modes: Array<{ id: string; title: string; description: string }>;
}
export function normaliseNotice(raw: unknown): SecurityNotice;
export function securityNotice(options?: { baseUrl?: string; url?: string; signal?: AbortSignal; fetch?: typeof fetch;
  credentials?: RequestCredentials }): Promise<SecurityNotice>;
/** A <section> built with textContent only. */
export function renderNotice(notice: SecurityNotice | unknown, doc?: Document): HTMLElement;
