// The web UI's shell: who is signed in, the navigation, and a router over history paths. Each page is a module
// exporting render(main, context) that may return a cleanup function, run when the page is left.
import { h } from './dom.js';
import { currentSession, publicConfig, signOut } from './api.js';
import * as signInPage from './pages/sign-in.js';
import * as chatPage from './pages/chat.js';
import * as byokPage from './pages/byok.js';

/** path → page; `public` pages are shown without a session. */
const ROUTES = {
  '/sign-in': { page: signInPage, public: true },
  '/chat': { page: chatPage, title: 'Chat' },
  '/key': { page: byokPage, title: 'Your key' },
};
/** The pages listed in the navigation when signed in. */
const NAV = [['/chat', 'Chat'], ['/key', 'Your key']];

const state = { session: null, config: null, path: null, cleanup: null };

function navigate(to, { replace = false } = {}) {
  if (replace) {
    history.replaceState(null, '', to);
  } else {
    history.pushState(null, '', to);
  }
  render();
}

function localPath(value) {
  return typeof value === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(value) ? value : null;
}

function renderNav() {
  const nav = document.getElementById('nav');
  nav.replaceChildren();
  if (!state.session) {
    return;
  }
  const list = h('ul', { class: 'nav-list' });
  for (const [path, label] of NAV) {
    list.append(h('li', {}, h('a', { href: path, 'data-route': true, 'aria-current': state.path === path ? 'page' : null }, label)));
  }
  const user = state.session.user;
  nav.append(list, h('div', { class: 'account' },
    h('span', { class: 'user', title: 'Signed in' }, user.display_name || user.username),
    h('button', { type: 'button', class: 'secondary', id: 'sign-out', onclick: onSignOut }, 'Sign out')));
}

async function onSignOut(event) {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    leavePage();
    await signOut(state.session.csrf_token);
  } catch {
    // the session is forgotten here either way; the server ends it at its idle timeout at the latest
  }
  state.session = null;
  navigate('/sign-in?signed_out=1', { replace: true });
}

function leavePage() {
  if (state.cleanup) {
    try {
      state.cleanup();
    } finally {
      state.cleanup = null;
    }
  }
}

function render() {
  const path = location.pathname;
  const query = new URLSearchParams(location.search);
  if (!state.session && !ROUTES[path]?.public) {
    const next = path === '/' ? '' : '?next=' + encodeURIComponent(path);
    navigate('/sign-in' + next, { replace: true });
    return;
  }
  if (state.session && (path === '/' || path === '/sign-in')) {
    navigate(localPath(query.get('next')) ?? '/chat', { replace: true });
    return;
  }
  leavePage();
  state.path = path;
  const main = document.getElementById('main');
  main.replaceChildren();
  const route = ROUTES[path];
  const context = {
    session: state.session, config: state.config, query, navigate,
    signedIn(session) {
      state.session = session;
      navigate(localPath(query.get('next')) ?? '/chat', { replace: true });
    },
    sessionEnded() {
      state.session = null;
      renderNav();
    },
  };
  if (route) {
    state.cleanup = route.page.render(main, context) ?? null;
  } else {
    main.append(h('h1', { tabindex: '-1' }, 'Page not found'),
      h('p', {}, 'There is no page at this address. ', h('a', { href: '/chat', 'data-route': true }, 'Go to the chat'), '.'));
  }
  renderNav();
  const heading = main.querySelector('h1');
  document.title = (heading?.textContent ?? 'Keywarden') + ' · Keywarden';
  if (!main.contains(document.activeElement)) {
    heading?.focus({ preventScroll: true });
  }
}

// links marked data-route change the page without reloading it
document.addEventListener('click', (event) => {
  const link = event.target.closest?.('a[data-route]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  event.preventDefault();
  if (link.getAttribute('href') !== location.pathname) {
    navigate(link.getAttribute('href'));
  }
});

// back/forward; a change of the #fragment alone (the skip link) keeps the page as it is
window.addEventListener('popstate', () => {
  if (location.pathname !== state.path) {
    render();
  }
});

async function start() {
  const main = document.getElementById('main');
  try {
    [state.session, state.config] = await Promise.all([currentSession(), publicConfig()]);
  } catch {
    main.replaceChildren(h('h1', { tabindex: '-1' }, 'Keywarden is not reachable'),
      h('p', { role: 'alert' }, 'The gateway did not answer. Reload the page to try again.'));
    return;
  }
  render();
  document.documentElement.dataset.ready = 'true';
  performance.mark('keywarden-ready');
}

start();
