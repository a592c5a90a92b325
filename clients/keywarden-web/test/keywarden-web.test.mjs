// keywarden-web's parser and client logic in Node (no browser, no network: fetch is a stand-in).
// The same module runs in Chromium against a real gateway in e2e/browser.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GatewayClient, KeywardenError, SSEDecoder, isAbortError, messageEvents, normaliseNotice, retryAfterMs,
  SessionKeyHolder, EncryptedKeyStore, MIN_PBKDF2_ITERATIONS,
} from '../keywarden-web.js';

const enc = new TextEncoder();

function chunked(text, sizes) {
  const bytes = enc.encode(text);
  let at = 0;
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      const n = sizes[i++ % sizes.length];
      controller.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

function decodeAll(text, splitAt) {
  const d = new SSEDecoder();
  const parts = splitAt == null ? [text] : [text.slice(0, splitAt), text.slice(splitAt)];
  return [...parts.flatMap((p) => d.push(p)), ...d.end()];
}

const STREAM = 'event: message_start\ndata: {"type":"message_start"}\n\n'
  + 'event: ping\ndata: {"type":"ping"}\n\n'
  + 'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"Hel"}}\n\n'
  + 'event: future_event\ndata: {"type":"future_event"}\n\n'
  + 'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"lo é"}}\n\n'
  + 'event: message_stop\ndata: {"type":"message_stop"}\n\n';

test('SSE: LF, CRLF and CR line ends give the same events, wherever the text is split', () => {
  const expected = decodeAll(STREAM);
  assert.equal(expected.length, 6);
  for (const eol of ['\r\n', '\r']) {
    const text = STREAM.replaceAll('\n', eol);
    for (let split = 0; split <= text.length; split++) {
      assert.deepEqual(decodeAll(text, split), expected, `eol ${JSON.stringify(eol)} split at ${split}`);
    }
  }
});

test('SSE: multi-line data joins with LF; comments, BOM and a field without colon are handled; a last event without blank line is dispatched', () => {
  const events = decodeAll('\ufeff: comment\nevent: a\ndata: one\ndata:two\ndata\n\nevent: b\ndata: last');
  assert.deepEqual(events.map((e) => [e.event, e.data]), [['a', 'one\ntwo\n'], ['b', 'last']]);
  assert.deepEqual(decodeAll('event: only-type\n\n'), [], 'an event without data is not dispatched');
});

test('messageEvents: byte chunks splitting UTF-8 characters, ping and unknown events skipped', async () => {
  for (const size of [1, 2, 3, 7, 64]) {
    const texts = [];
    for await (const e of messageEvents(chunked(STREAM.replaceAll('\n', '\r\n'), [size]))) {
      if (e.type === 'content_block_delta') {
        texts.push(e.delta.text);
      }
      assert.notEqual(e.type, 'ping');
      assert.notEqual(e.type, 'future_event');
    }
    assert.deepEqual(texts, ['Hel', 'lo é'], `chunks of ${size} bytes`);
  }
});

test('messageEvents: an error event ends the stream with a KeywardenError carrying the type and its status', async () => {
  const body = chunked('event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"a"}}\n\n'
    + 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n', [16]);
  const seen = [];
  await assert.rejects(async () => {
    for await (const e of messageEvents(body)) {
      seen.push(e.type);
    }
  }, (e) => e instanceof KeywardenError && e.type === 'overloaded_error' && e.status === 529 && e.message === 'Overloaded');
  assert.deepEqual(seen, ['content_block_delta']);
});

test('retryAfterMs: retry-after-ms wins, then seconds, then an HTTP date; garbage is null', () => {
  const h = (o) => new Headers(o);
  assert.equal(retryAfterMs(h({ 'retry-after-ms': '250', 'retry-after': '7' })), 250);
  assert.equal(retryAfterMs(h({ 'retry-after': '7' })), 7000);
  assert.equal(retryAfterMs(h({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }), Date.parse('2026-01-01T00:00:00Z')), 10000);
  assert.equal(retryAfterMs(h({ 'retry-after': 'soon' })), null);
  assert.equal(retryAfterMs(h({})), null);
});

/** A fetch stand-in: answers from `routes` (path → function(request, n) → Response) and records each call. */
function fakeFetch(routes) {
  const calls = [];
  const count = {};
  const f = async (url, init = {}) => {
    const path = new URL(url, 'http://gw.test').pathname;
    count[path] = (count[path] ?? 0) + 1;
    calls.push({ path, init, at: Date.now() });
    if (init.signal?.aborted) {
      throw init.signal.reason;
    }
    const route = routes[path];
    if (!route) {
      return new Response('{}', { status: 404 });
    }
    return route(init, count[path]);
  };
  return { fetch: f, calls };
}

const json = (status, body, headers = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const sse = (text) => new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream' } });

test('GatewayClient: the token comes from POST /api/tokens with the CSRF token read from the session, and is reused while fresh', async () => {
  const { fetch, calls } = fakeFetch({
    '/api/session': () => json(200, { csrf_token: 'csrf-1' }),
    '/api/tokens': (init, n) => json(201, { token: `kw_tmp_${n}`, expires_in: 600, expires_at: new Date(Date.now() + 600e3).toISOString() }),
    '/v1/messages': () => sse(STREAM),
  });
  const client = new GatewayClient({ fetch });
  assert.equal(await client.stream({ model: 'm', max_tokens: 5, messages: [] }).finalText(), 'Hello é');
  assert.equal(await client.stream({ model: 'm', max_tokens: 5, messages: [] }).finalText(), 'Hello é');
  const tokenCalls = calls.filter((c) => c.path === '/api/tokens');
  assert.equal(tokenCalls.length, 1);
  assert.equal(tokenCalls[0].init.headers['x-csrf-token'], 'csrf-1');
  assert.equal(tokenCalls[0].init.credentials, 'same-origin');
  const call = calls.find((c) => c.path === '/v1/messages');
  assert.equal(call.init.headers.authorization, 'Bearer kw_tmp_1');
  assert.equal(call.init.credentials, 'omit', 'token calls carry no cookie');
  assert.equal(JSON.parse(call.init.body).stream, true);
});

test('GatewayClient: a token is renewed before it expires, and once after a 401', async () => {
  const { fetch, calls } = fakeFetch({
    '/api/tokens': (init, n) => json(201, { token: `kw_tmp_${n}`, expires_in: 0.2 }),
    '/v1/messages': (init) => (init.headers.authorization === 'Bearer kw_tmp_3'
      ? json(401, { type: 'error', error: { type: 'authentication_error', message: 'this token was revoked' } })
      : json(200, { type: 'message', content: [] })),
  });
  const client = new GatewayClient({ fetch, csrfToken: 'c', refreshMarginMs: 50 });
  await client.createMessage({});
  await client.createMessage({});
  assert.equal(calls.filter((c) => c.path === '/api/tokens').length, 1, 'still fresh');
  await new Promise((r) => setTimeout(r, 160));
  await client.createMessage({}); // past 150 ms of 200: renewed first (token 2)
  assert.equal(calls.filter((c) => c.path === '/api/tokens').length, 2);
  await new Promise((r) => setTimeout(r, 160));
  await client.createMessage({}); // token 3 is refused with 401: token 4, one more try
  const auths = calls.filter((c) => c.path === '/v1/messages').map((c) => c.init.headers.authorization);
  assert.deepEqual(auths, ['Bearer kw_tmp_1', 'Bearer kw_tmp_1', 'Bearer kw_tmp_2', 'Bearer kw_tmp_3', 'Bearer kw_tmp_4']);
});

test('GatewayClient: concurrent calls share one token request', async () => {
  const { fetch, calls } = fakeFetch({
    '/api/tokens': async () => {
      await new Promise((r) => setTimeout(r, 30));
      return json(201, { token: 'kw_tmp_x', expires_in: 600 });
    },
    '/v1/messages': () => json(200, {}),
  });
  const client = new GatewayClient({ fetch, csrfToken: 'c' });
  await Promise.all([client.createMessage({}), client.createMessage({}), client.createMessage({})]);
  assert.equal(calls.filter((c) => c.path === '/api/tokens').length, 1);
});

test('GatewayClient: 429 waits as retry-after-ms says, at most maxRetries times, then the error carries the wait', async () => {
  const rateLimited = () => json(429, { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' }, request_id: 'req_1' },
    { 'retry-after-ms': '120', 'retry-after': '1' });
  const { fetch, calls } = fakeFetch({ '/api/tokens': () => json(201, { token: 't', expires_in: 600 }), '/v1/messages': rateLimited });
  const retries = [];
  const client = new GatewayClient({ fetch, csrfToken: 'c', maxRetries: 2, onRetry: (r) => retries.push(r) });
  const started = Date.now();
  await assert.rejects(client.createMessage({}), (e) => e instanceof KeywardenError && e.status === 429
    && e.type === 'rate_limit_error' && e.retryAfterMs === 120 && e.requestId === 'req_1' && e.message === 'slow down');
  const sends = calls.filter((c) => c.path === '/v1/messages');
  assert.equal(sends.length, 3);
  assert.ok(sends[1].at - sends[0].at >= 115 && sends[2].at - sends[1].at >= 115, 'waited between tries');
  assert.ok(Date.now() - started < 2000);
  assert.deepEqual(retries.map((r) => [r.attempt, r.delayMs]), [[1, 120], [2, 120]]);
});

test('GatewayClient: a 429 asking for a longer wait than maxRetryDelayMs is not retried; 402 and 403 never are', async () => {
  for (const [status, type, headers] of [[429, 'rate_limit_error', { 'retry-after': '30' }], [402, 'billing_error', { 'retry-after': '1' }],
    [403, 'permission_error', {}]]) {
    const { fetch, calls } = fakeFetch({
      '/api/tokens': () => json(201, { token: 't', expires_in: 600 }),
      '/v1/messages': () => json(status, { type: 'error', error: { type, message: 'no' } }, headers),
    });
    const client = new GatewayClient({ fetch, csrfToken: 'c', maxRetryDelayMs: 5000 });
    await assert.rejects(client.createMessage({}), (e) => e.status === status && e.type === type);
    assert.equal(calls.filter((c) => c.path === '/v1/messages').length, 1, `${status} sent once`);
  }
});

test('GatewayClient: a non-JSON error page still gives a KeywardenError with the status', async () => {
  const { fetch } = fakeFetch({
    '/api/tokens': () => json(201, { token: 't', expires_in: 600 }),
    '/v1/messages': () => new Response('<html>502 Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
  });
  await assert.rejects(new GatewayClient({ fetch, csrfToken: 'c' }).createMessage({}),
    (e) => e.status === 502 && e.type === 'api_error' && e.message.includes('502'));
});

test('GatewayClient: abort during a 429 wait ends the call at once with an AbortError', async () => {
  const { fetch } = fakeFetch({
    '/api/tokens': () => json(201, { token: 't', expires_in: 600 }),
    '/v1/messages': () => json(429, { type: 'error', error: { type: 'rate_limit_error', message: 'wait' } }, { 'retry-after': '5' }),
  });
  const client = new GatewayClient({ fetch, csrfToken: 'c' });
  const stream = client.stream({});
  setTimeout(() => stream.abort(), 50);
  const started = Date.now();
  await assert.rejects(stream.finalText(), (e) => isAbortError(e));
  assert.ok(Date.now() - started < 1000);
});

test('GatewayClient.chat posts to /api/chat with the session cookie and CSRF header, no token', async () => {
  const { fetch, calls } = fakeFetch({ '/api/session': () => json(200, { csrf_token: 'csrf-9' }), '/api/chat': () => sse(STREAM) });
  const text = await new GatewayClient({ fetch }).chat({ messages: [{ role: 'user', content: 'hi' }] }).finalText();
  assert.equal(text, 'Hello é');
  const chat = calls.find((c) => c.path === '/api/chat');
  assert.equal(chat.init.headers['x-csrf-token'], 'csrf-9');
  assert.equal(chat.init.headers.authorization, undefined);
  assert.equal(chat.init.credentials, 'same-origin');
  assert.equal(calls.some((c) => c.path === '/api/tokens'), false);
});

test('normaliseNotice keeps strings only, bounded, and accepts modes as strings or objects', () => {
  const n = normaliseNotice({ title: 42, paragraphs: ['<b>one</b>', 7, null, '', 'two'], modes: { sealed: 'Only you.', server: { title: 'Kept', description: 'On the server.', html: '<x>' } }, extra: 1 });
  assert.deepEqual(n, { title: 'Before you enter your key', paragraphs: ['<b>one</b>', 'two'],
    modes: [{ id: 'sealed', title: 'sealed', description: 'Only you.' }, { id: 'server', title: 'Kept', description: 'On the server.' }] });
  assert.deepEqual(normaliseNotice(null), { title: 'Before you enter your key', paragraphs: [], modes: [] });
});

test('SessionKeyHolder forgets the value when idle, and the clock is checked on read', async () => {
  const reasons = [];
  const holder = new SessionKeyHolder({ idleTimeoutMs: 60, onClear: (r) => reasons.push(r) });
  holder.set('secret');
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(holder.get(), 'secret', 'a use restarts the clock');
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(holder.has(), true);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(holder.get(), null);
  assert.deepEqual(reasons, ['idle']);
  holder.dispose();
});

test('EncryptedKeyStore refuses fewer than 600,000 iterations at construction', () => {
  assert.equal(MIN_PBKDF2_ITERATIONS, 600000);
  assert.throws(() => new EncryptedKeyStore({ iterations: 100000, indexedDB: {} }), RangeError);
});
