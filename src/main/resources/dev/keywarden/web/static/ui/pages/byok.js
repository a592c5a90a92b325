// Your key (bring your own key): the operator's security notice first, then the key in use (fingerprint and state),
// unlock / delete, and the form to add a key in one of the modes the gateway offers. The key typed in is sent once
// (POST /api/byok) and then cleared from the field: the page only ever shows the fingerprint the gateway answers.
import { h, say } from '../dom.js';
import { byokNotice, byokStatus, byokAdd, byokUnlock, byokDelete } from '../api.js';
import { KeywardenError } from '/keywarden-web.js';
import { duration } from '../errors.js';

/** One plain sentence per mode, in the order offered. */
export const MODES = {
  server_held: {
    title: 'Kept by the gateway',
    sentence: 'Stored encrypted on the gateway and used for all your calls until you delete it; the gateway (and so its operators) can decrypt it.',
  },
  sealed: {
    title: 'Sealed with your passphrase',
    sentence: 'Stored encrypted under a passphrase only you know; you unlock it for each sign-in, and a forgotten passphrase cannot be recovered.',
  },
  session_only: {
    title: 'This session only',
    sentence: 'Never stored: held for this sign-in only and forgotten when you sign out or the session ends.',
  },
};

const STATES = {
  none: 'You have no key of your own: your calls use the gateway\'s key.',
  active: 'In use: your calls go to Anthropic with this key.',
  locked: 'Locked: enter your passphrase to use it in this session. Until then your calls use the gateway\'s key.',
  unlocked: 'Unlocked for this session: your calls go to Anthropic with this key.',
  invalid: 'Anthropic rejected this key, so it is no longer used. Add a working key or delete it.',
};

/** The words for a refused BYOK request; the gateway's reason is shown as text. */
export function byokError(e) {
  if (!(e instanceof KeywardenError)) {
    return 'Keywarden could not be reached. Check your connection, then try again.';
  }
  switch (e.status) {
    case 400:
      return 'The key was not accepted: ' + e.message;
    case 401:
      return 'You are no longer signed in. Sign in again to continue.';
    case 403:
      return e.message.toLowerCase().includes('passphrase') ? 'That passphrase is not right. Your key stays locked.'
        : 'This was refused: ' + e.message;
    case 429:
      return 'Too many wrong passphrases. ' + (e.retryAfterMs != null ? `Try again in ${duration(e.retryAfterMs)}.` : 'Try again later.');
    case 503:
      return 'Anthropic could not be asked whether the key works, so it was not stored. Try again shortly.';
    default:
      return `Something went wrong (HTTP ${e.status}): ${e.message}`;
  }
}

function noticeParagraphs(text) {
  return String(text ?? '').split(/\n\s*\n|\n/).map((p) => p.trim()).filter(Boolean).slice(0, 50)
    .map((p) => h('p', {}, p.slice(0, 4000)));
}

export function render(main, { session, sessionEnded }) {
  const csrf = () => session.csrf_token;
  const status = h('p', { class: 'status', role: 'status', id: 'byok-status' });
  const error = h('p', { class: 'error', role: 'alert', id: 'byok-error', hidden: true });
  const heading = h('h1', { tabindex: '-1' }, 'Your key');
  const body = h('div', { id: 'byok-body' }, h('p', { class: 'loading' }, 'Loading…'));
  main.append(heading, status, error, body);
  let live = true;

  function fail(e) {
    status.textContent = '';
    say(error, byokError(e));
    if (e?.status === 401) {
      sessionEnded();
    }
  }

  function currentKey(view) {
    const state = view?.state ?? 'none';
    const section = h('section', { class: 'card wide', id: 'byok-current', 'aria-labelledby': 'byok-current-title' },
      h('h2', { id: 'byok-current-title' }, 'Key in use'));
    if (state === 'none' || !view.fingerprint) {
      section.append(h('p', { id: 'byok-state', 'data-state': 'none' }, STATES.none));
      return section;
    }
    section.append(h('dl', { class: 'facts' },
      h('dt', {}, 'Fingerprint'), h('dd', {}, h('code', { id: 'byok-fingerprint' }, view.fingerprint)),
      h('dt', {}, 'Mode'), h('dd', { id: 'byok-mode' }, MODES[view.mode]?.title ?? view.mode ?? ''),
      h('dt', {}, 'Added'), h('dd', {}, view.created_at ? new Date(view.created_at).toLocaleString() : '')),
    h('p', { id: 'byok-state', 'data-state': state }, STATES[state] ?? state));

    if (state === 'locked') {
      const pass = h('input', { id: 'unlock-passphrase', name: 'unlock-passphrase', type: 'password', autocomplete: 'off',
        required: true, spellcheck: 'false' });
      const form = h('form', { id: 'byok-unlock', novalidate: true },
        h('div', { class: 'field' }, h('label', { for: 'unlock-passphrase' }, 'Passphrase'), pass),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Unlock for this session')));
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        if (!pass.value) {
          say(error, 'Enter the passphrase you chose when you added the key.');
          pass.focus();
          return;
        }
        say(error, '');
        status.textContent = 'Unlocking…';
        try {
          const view = await byokUnlock(csrf(), pass.value);
          status.textContent = 'Unlocked for this session.';
          show(view, '#byok-state');
        } catch (e) {
          pass.value = '';
          fail(e);
          pass.focus();
        }
      });
      section.append(form);
    }

    const remove = h('button', { type: 'button', class: 'danger', id: 'byok-delete' }, 'Delete this key');
    const confirmBox = h('div', { class: 'confirm', id: 'byok-confirm', role: 'group', 'aria-labelledby': 'byok-confirm-text', hidden: true },
      h('p', { id: 'byok-confirm-text' }, 'Delete your key from the gateway? Calls will use the gateway\'s key again. '
        + 'Revoke it in the Anthropic Console too if you no longer use it.'),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'danger', id: 'byok-delete-confirm', onclick: onDelete }, 'Yes, delete it'),
        h('button', { type: 'button', class: 'secondary', id: 'byok-delete-cancel', onclick: () => {
          confirmBox.hidden = true;
          remove.hidden = false;
          remove.focus();
        } }, 'Keep it')));
    remove.addEventListener('click', () => {
      remove.hidden = true;
      confirmBox.hidden = false;
      confirmBox.querySelector('#byok-delete-cancel').focus();
    });
    section.append(h('div', { class: 'actions' }, remove), confirmBox);
    return section;
  }

  async function onDelete() {
    say(error, '');
    status.textContent = 'Deleting…';
    try {
      await byokDelete(csrf());
      status.textContent = 'Your key was deleted. Revoke it in the Anthropic Console too if you no longer use it.';
      show({ state: 'none' }, '#byok-state');
    } catch (e) {
      fail(e);
    }
  }

  function addForm(modes, view) {
    const offered = modes.filter((m) => MODES[m]);
    const key = h('input', { id: 'byok-key', name: 'byok-key', type: 'password', autocomplete: 'off', required: true,
      spellcheck: 'false', autocapitalize: 'none', 'aria-describedby': 'byok-key-hint' });
    const passphrase = h('input', { id: 'byok-passphrase', name: 'byok-passphrase', type: 'password', autocomplete: 'off',
      minlength: '12', spellcheck: 'false', 'aria-describedby': 'byok-passphrase-hint' });
    const passField = h('div', { class: 'field', id: 'byok-passphrase-field', hidden: true },
      h('label', { for: 'byok-passphrase' }, 'Passphrase (at least 12 characters)'), passphrase,
      h('p', { class: 'hint', id: 'byok-passphrase-hint' }, 'It is never stored. Without it the key cannot be used or recovered.'));
    const choices = h('fieldset', { class: 'modes' }, h('legend', {}, 'Where your key is kept'),
      offered.map((m, i) => h('div', { class: 'mode' },
        h('input', { type: 'radio', name: 'byok-mode', id: `mode-${m}`, value: m, checked: i === 0 ? true : null,
          'aria-describedby': `mode-${m}-text` }),
        h('label', { for: `mode-${m}` }, MODES[m].title),
        h('p', { class: 'hint', id: `mode-${m}-text` }, MODES[m].sentence))));
    const chosen = () => choices.querySelector('input[name="byok-mode"]:checked')?.value;
    const showPassphrase = () => {
      passField.hidden = chosen() !== 'sealed';
      passphrase.required = !passField.hidden;
    };
    choices.addEventListener('change', showPassphrase);
    showPassphrase();

    const form = h('form', { class: 'card wide', id: 'byok-add', novalidate: true, 'aria-labelledby': 'byok-add-title' },
      h('h2', { id: 'byok-add-title' }, view?.state && view.state !== 'none' ? 'Replace your key' : 'Add your key'),
      choices,
      h('div', { class: 'field' }, h('label', { for: 'byok-key' }, 'Anthropic API key'), key,
        h('p', { class: 'hint', id: 'byok-key-hint' }, 'Starts with sk-ant-. Checked with Anthropic before it is kept; only its fingerprint is shown afterwards.')),
      passField,
      h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'byok-submit' }, 'Add key')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const mode = chosen();
      if (!key.value.trim()) {
        say(error, 'Enter your Anthropic API key.');
        key.focus();
        return;
      }
      if (mode === 'sealed' && passphrase.value.length < 12) {
        say(error, 'Choose a passphrase of at least 12 characters.');
        passphrase.focus();
        return;
      }
      say(error, '');
      status.textContent = 'Checking the key with Anthropic…';
      const secret = key.value.trim();
      const pass = mode === 'sealed' ? passphrase.value : null;
      key.value = '';
      passphrase.value = '';
      try {
        const added = await byokAdd(csrf(), secret, mode, pass);
        status.textContent = 'Your key was added.';
        show(added, '#byok-state');
      } catch (e) {
        fail(e);
        key.focus();
      }
    });
    return form;
  }

  let notice = null;

  function show(view, focus) {
    if (!live) {
      return;
    }
    const parts = [];
    parts.push(h('section', { class: 'notice', id: 'byok-notice', 'aria-labelledby': 'byok-notice-title' },
      h('h2', { id: 'byok-notice-title' }, 'Before you enter your key'), noticeParagraphs(notice.notice)));
    if (!notice.enabled) {
      parts.push(h('p', { id: 'byok-disabled' }, 'This gateway does not let users bring their own key.'));
      body.replaceChildren(...parts);
      return;
    }
    parts.push(currentKey(view));
    if (notice.modes.length > 0) {
      parts.push(addForm(notice.modes, view));
    }
    body.replaceChildren(...parts);
    if (focus) {
      body.querySelector(focus)?.setAttribute('tabindex', '-1');
      body.querySelector(focus)?.focus();
    }
  }

  (async () => {
    try {
      notice = await byokNotice();
      const view = notice.enabled ? await byokStatus() : null;
      show(view);
    } catch (e) {
      body.replaceChildren();
      fail(e);
    }
  })();
  return () => { live = false; };
}
