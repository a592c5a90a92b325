// Sign in: a local account (POST /api/session), and "Sign in with …" when the gateway has OpenID Connect configured.
import { h, say } from '../dom.js';
import { signIn } from '../api.js';
import { KeywardenError } from '/keywarden-web.js';
import { duration } from '../errors.js';

function signInError(e) {
  if (!(e instanceof KeywardenError)) {
    return 'Keywarden could not be reached. Check your connection, then try again.';
  }
  if (e.status === 401) {
    return 'That username and password do not match an account. Check them and try again.';
  }
  if (e.status === 429) {
    return 'Too many sign-in attempts. ' + (e.retryAfterMs != null ? `Try again in ${duration(e.retryAfterMs)}.` : 'Try again later.');
  }
  if (e.status === 403) {
    return 'This sign-in was refused: ' + e.message;
  }
  return `Signing in failed (HTTP ${e.status}). Try again shortly.`;
}

export function render(main, { config, query, signedIn }) {
  const error = h('p', { class: 'error', role: 'alert', id: 'sign-in-error', hidden: true });
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false', 'aria-describedby': 'sign-in-error' });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password',
    required: true, 'aria-describedby': 'sign-in-error' });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'card', 'aria-labelledby': 'sign-in-title', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'username' }, 'Username'), username),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    error,
    h('div', { class: 'actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!username.value.trim() || !password.value) {
      say(error, 'Enter your username and your password.');
      (username.value.trim() ? password : username).focus();
      return;
    }
    say(error, '');
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const session = await signIn(username.value.trim(), password.value);
      password.value = '';
      signedIn(session);
    } catch (e) {
      say(error, signInError(e));
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });

  main.append(h('h1', { id: 'sign-in-title', tabindex: '-1' }, 'Sign in'));
  if (query.get('signed_out')) {
    main.append(h('p', { class: 'notice', role: 'status' }, 'You are signed out.'));
  }
  main.append(form);
  const oidc = config?.sign_in?.oidc;
  if (oidc && typeof oidc.login_url === 'string' && oidc.login_url.startsWith('/api/')) {
    const next = query.get('next');
    const returnTo = next && /^\/(?![/\\])/.test(next) ? next : '/chat';
    const name = typeof oidc.provider_name === 'string' && oidc.provider_name ? oidc.provider_name : 'your organisation';
    main.append(h('div', { class: 'card alt' },
      h('p', { class: 'or' }, 'Or use your organisation\'s account:'),
      h('a', { class: 'button', id: 'oidc-sign-in', href: `${oidc.login_url}?return_to=${encodeURIComponent(returnTo)}` },
        `Sign in with ${name}`)));
  }
  username.focus();
}
