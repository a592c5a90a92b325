// Element building for the UI: text is always set as text (textContent / text nodes), never parsed as HTML.

const FORBIDDEN_ATTRIBUTE = /^(on|style$|srcdoc$)/i;

/**
 * h('p', {class: 'x', onclick: fn}, 'text', child): an element with attributes, listeners (on…: functions) and
 * children (nodes, or strings appended as text nodes). `text` sets textContent.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) {
      continue;
    }
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'text') {
      el.textContent = value;
    } else if (FORBIDDEN_ATTRIBUTE.test(key)) {
      throw new Error(`attribute ${key} is not set through h(): use a class or a listener`);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child != null && child !== false) {
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return el;
}

/** Shows `message` in `el` (a role=alert or role=status element), or hides it when empty. */
export function say(el, message) {
  el.textContent = message ?? '';
  el.hidden = !message;
}
