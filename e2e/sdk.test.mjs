// The official TypeScript SDK pointed at a running Keywarden gateway.
// Run by dev.keywarden.e2e.TypeScriptSdkIT, which starts the gateway and passes
// KEYWARDEN_BASE_URL and KEYWARDEN_VIRTUAL_KEY; the provider key never reaches this process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

const baseURL = process.env.KEYWARDEN_BASE_URL;
const apiKey = process.env.KEYWARDEN_VIRTUAL_KEY;
if (!baseURL || !apiKey) {
  throw new Error('KEYWARDEN_BASE_URL and KEYWARDEN_VIRTUAL_KEY must be set (run through TypeScriptSdkIT)');
}
const client = new Anthropic({ baseURL, apiKey, maxRetries: 0 });
const params = { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hello from the TypeScript SDK' }] };

test('plain message through the gateway returns a complete Message with usage', async () => {
  const msg = await client.messages.create(params);
  assert.equal(msg.type, 'message');
  assert.equal(msg.role, 'assistant');
  assert.ok(msg.content[0].text.length > 0, 'has text');
  assert.ok(msg.usage.input_tokens > 0 && msg.usage.output_tokens > 0, 'has usage');
  assert.equal(msg.stop_reason, 'end_turn');
});

test('streamed message arrives as incremental text deltas and the final message matches them', async () => {
  const deltas = [];
  const stream = client.messages.stream(params);
  stream.on('text', (t) => deltas.push(t));
  const final = await stream.finalMessage();
  assert.ok(deltas.length > 1, `expected several deltas, got ${deltas.length}`);
  assert.equal(final.content[0].text, deltas.join(''));
  assert.ok(final.usage.output_tokens > 0);
});

test('a wrong virtual key surfaces as the SDK AuthenticationError', async () => {
  const bad = new Anthropic({ baseURL, apiKey: 'kw_notarealkey', maxRetries: 0 });
  await assert.rejects(bad.messages.create(params), (e) => e instanceof Anthropic.AuthenticationError && e.status === 401);
});
