// localStorage holds only the session id, its secret and whether the panel was open, under one key that
// expires (default 7 days after the last use). The transcript is never stored here: the server sends it
// on every (re)connect, so nothing personal is left behind on a shared PC.

const PREFIX = "chanyan.webchat.";
const DAY_MS = 86400000;
// What earlier versions kept (the whole transcript among them): removed on sight.
const LEGACY_RE = /^chanyan\.webchat\.(?:[^.]+\.)?(?:session|open|history\..*|meta\..*)$/;

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // blocked (private mode, sandboxed frame): the chat works without surviving a reload
  }
}

export class Store {
  /** @param {string} namespace  @param {number} expiryDays */
  constructor(namespace, expiryDays) {
    this.key = `${PREFIX}${namespace ? `${namespace}.` : ""}state`;
    this.ttl = Math.max(0, Number(expiryDays) || 0) * DAY_MS;
    this.purgeLegacy();
  }

  purgeLegacy() {
    const ls = storage();
    if (!ls) return;
    try {
      for (let i = ls.length - 1; i >= 0; i -= 1) {
        const key = ls.key(i);
        if (key && LEGACY_RE.test(key)) ls.removeItem(key);
      }
    } catch {
      // ignore
    }
  }

  /** The saved state, or {} when there is none or it has expired (then it is removed). */
  load() {
    const ls = storage();
    if (!ls) return {};
    try {
      const state = JSON.parse(ls.getItem(this.key) || "null");
      if (state && typeof state === "object" && Number(state.expires) > Date.now()) return state;
    } catch {
      // unreadable: start over
    }
    this.clear();
    return {};
  }

  /** Merges `patch` into the saved state and moves the expiry forward. */
  save(patch) {
    const ls = storage();
    if (!ls || !this.ttl) return;
    const state = { ...this.load(), ...patch, expires: Date.now() + this.ttl };
    try {
      ls.setItem(this.key, JSON.stringify(state));
    } catch {
      // quota: ignore
    }
  }

  clear() {
    try {
      storage()?.removeItem(this.key);
    } catch {
      // ignore
    }
  }
}
