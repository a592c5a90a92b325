// Gateway refusals in words a user understands. The gateway's own reason is shown as text, never as markup.
import { KeywardenError, isAbortError } from '/keywarden-web.js';

/** "7 seconds", "2 minutes", "3 hours". */
export function duration(ms) {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 90) {
    return `${s} second${s === 1 ? '' : 's'}`;
  }
  const m = Math.round(s / 60);
  if (m < 90) {
    return `${m} minutes`;
  }
  const hours = Math.round(m / 60);
  return hours < 48 ? `${hours} hours` : `${Math.round(hours / 24)} days`;
}

function reason(e) {
  const text = String(e.message ?? '').trim();
  return text.length > 500 ? text.slice(0, 500) + '…' : text;
}

/** What to tell the user about `e`; null for an abort (the user stopped it). */
export function describeError(e) {
  if (isAbortError(e)) {
    return null;
  }
  if (!(e instanceof KeywardenError)) {
    return 'Keywarden could not be reached. Check your connection, then try again.';
  }
  switch (e.status) {
    case 429:
      return 'Too many requests right now. '
        + (e.retryAfterMs != null ? `Try again in ${duration(e.retryAfterMs)}.` : 'Wait a moment, then try again.');
    case 402:
      return 'Your usage budget is spent, so this message was not sent. '
        + (e.retryAfterMs != null ? `It renews in ${duration(e.retryAfterMs)}. ` : '')
        + 'Ask your administrator if you need more. Details: ' + reason(e);
    case 403:
      return 'Keywarden\'s safety rules blocked this message. Reason: ' + reason(e);
    case 401:
      return 'You are no longer signed in (the session ended). Sign in again to continue.';
    case 413:
      return 'This message is too long to send. Shorten it, then try again.';
    case 404:
      return 'This gateway does not offer that service: ' + reason(e);
    case 400:
      return 'The request was refused: ' + reason(e);
    case 503:
    case 529:
      return 'The model is overloaded right now. Try again in a minute.';
    default:
      if (e.status >= 500) {
        return 'The model service had a problem answering. Try again shortly.';
      }
      return `Something went wrong (HTTP ${e.status}): ${reason(e)}`;
  }
}
