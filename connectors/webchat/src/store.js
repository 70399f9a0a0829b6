// localStorage persistence: the session id, the rendered history (Rasa's socketio channel
// does not replay it) and whether the panel was open, so a reload or navigation continues.

const PREFIX = "chanyan.webchat.";
export const HISTORY_CAP = 200;

function read(key, fallback) {
  try {
    const raw = window.localStorage.getItem(PREFIX + key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    if (value === undefined || value === null) window.localStorage.removeItem(PREFIX + key);
    else window.localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Private mode or quota: the chat still works, it just won't survive a reload.
  }
}

export class Store {
  constructor(namespace) {
    // One server may host several bots: keep their sessions apart.
    this.ns = namespace ? `${namespace}.` : "";
  }

  get sessionId() {
    return read(`${this.ns}session`, null);
  }

  set sessionId(id) {
    write(`${this.ns}session`, id);
  }

  get open() {
    return read(`${this.ns}open`, false);
  }

  set open(value) {
    write(`${this.ns}open`, value ? true : null);
  }

  /** Per-session flags, e.g. whether the greeting was requested. */
  meta(sessionId) {
    return read(`${this.ns}meta.${sessionId}`, {});
  }

  setMeta(sessionId, meta) {
    write(`${this.ns}meta.${sessionId}`, meta);
  }

  history(sessionId) {
    const items = sessionId ? read(`${this.ns}history.${sessionId}`, []) : [];
    return Array.isArray(items) ? items : [];
  }

  saveHistory(sessionId, items) {
    if (!sessionId) return;
    write(`${this.ns}history.${sessionId}`, items.slice(-HISTORY_CAP));
  }

  forget(sessionId) {
    if (sessionId) {
      write(`${this.ns}history.${sessionId}`, null);
      write(`${this.ns}meta.${sessionId}`, null);
    }
    this.sessionId = null;
  }
}
