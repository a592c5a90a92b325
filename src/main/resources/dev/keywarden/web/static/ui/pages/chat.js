// Chat: streams the model's answer as it arrives, through keywarden-web's GatewayClient with a short-lived token
// (POST /api/tokens) on /v1/messages. Model output is untrusted: it only ever enters the page as text nodes.
import { h, say } from '../dom.js';
import { describeError, duration } from '../errors.js';
import { GatewayClient, isAbortError } from '/keywarden-web.js';

/** The model asked for until the chat endpoint (/api/chat), where the server fixes it, replaces this call. */
export const MODEL = 'claude-sonnet-4-5';
export const MAX_TOKENS = 1024;

export function render(main, { session, sessionEnded }) {
  const history = [];
  let stream = null;

  const status = h('p', { class: 'status', role: 'status', id: 'chat-status' });
  const error = h('div', { class: 'error', role: 'alert', id: 'chat-error', hidden: true });
  const conversation = h('ol', { class: 'conversation', id: 'conversation', 'aria-label': 'Conversation', 'aria-live': 'polite' });
  const prompt = h('textarea', { id: 'prompt', name: 'prompt', rows: '3', required: true, 'aria-describedby': 'prompt-hint' });
  const send = h('button', { type: 'submit', id: 'send' }, 'Send');
  const stop = h('button', { type: 'button', id: 'stop', class: 'secondary', disabled: true }, 'Stop');
  const form = h('form', { class: 'composer', id: 'composer' },
    h('label', { for: 'prompt' }, 'Your message'),
    prompt,
    h('p', { class: 'hint', id: 'prompt-hint' }, 'Enter sends; Shift+Enter starts a new line; Escape stops an answer.'),
    h('div', { class: 'actions' }, send, stop));

  const client = new GatewayClient({
    csrfToken: () => session.csrf_token,
    maxRetries: 1,
    maxRetryDelayMs: 5000,
    onRetry: ({ delayMs }) => { status.textContent = `Busy: trying again in ${duration(delayMs)}…`; },
  });

  function turn(role, text) {
    const body = h('div', { class: 'text' });
    body.append(document.createTextNode(text));
    const who = h('p', { class: 'who' }, role === 'user' ? 'You' : 'Claude');
    const item = h('li', { class: `turn ${role}` }, who, body);
    conversation.append(item);
    item.scrollIntoView?.({ block: 'end' });
    return { item, who, text: body.firstChild };
  }

  function streaming(on) {
    send.disabled = on;
    stop.disabled = !on;
  }

  async function ask(text) {
    say(error, '');
    history.push({ role: 'user', content: text });
    const question = turn('user', text);
    const answer = turn('assistant', '');
    answer.item.setAttribute('aria-busy', 'true');
    streaming(true);
    status.textContent = 'Claude is answering…';
    stream = client.stream({ model: MODEL, max_tokens: MAX_TOKENS, messages: history.slice() });
    let received = '';
    try {
      for await (const piece of stream.text()) {
        received += piece;
        answer.text.appendData(piece);
        answer.item.scrollIntoView?.({ block: 'end' });
      }
      history.push({ role: 'assistant', content: received });
      status.textContent = 'Answer complete.';
    } catch (e) {
      if (isAbortError(e)) {
        status.textContent = 'Stopped.';
        answer.who.append(' (stopped)');
      } else {
        status.textContent = '';
        say(error, describeError(e));
        answer.item.classList.add('failed');
        if (e.status === 401) {
          sessionEnded();
        }
      }
      if (received) {
        history.push({ role: 'assistant', content: received });
      } else {
        history.pop(); // not answered: the next message does not repeat it
        answer.item.remove();
        question.who.append(' (not answered)');
        question.item.classList.add('failed');
      }
    } finally {
      answer.item.removeAttribute('aria-busy');
      stream = null;
      streaming(false);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = prompt.value.trim();
    if (!text || stream) {
      return;
    }
    prompt.value = '';
    ask(text);
    prompt.focus();
  });
  prompt.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === 'Escape' && stream) {
      stream.abort();
    }
  });
  stop.addEventListener('click', () => {
    stream?.abort();
    prompt.focus();
  });

  main.append(h('h1', { tabindex: '-1' }, 'Chat'), conversation, status, error, form);
  prompt.focus();
  return () => client.abortAll();
}
