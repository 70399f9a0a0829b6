// Socket.IO link to Rasa's socketio channel (session_persistence on):
// connect -> session_request {session_id} -> session_confirm -> user_uttered / bot_uttered.
import { io } from "socket.io-client";

// After this many failed attempts in a row the server counts as unreachable (not just a blip).
const FAILURES_BEFORE_OFFLINE = 3;

export class Connection {
  /**
   * @param {{server: string, path: string, transports: string[],
   *          onState: (state: string) => void, onSession: (id: string) => void,
   *          onBotMessage: (msg: object) => void}} options
   */
  constructor(options) {
    this.options = options;
    this.socket = null;
    this.sessionId = null;
    this.ready = false; // true once the server confirmed our session on this socket
    this.failures = 0;
    this.state = "idle";
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.options.onState(state);
  }

  start(sessionId) {
    this.sessionId = sessionId || null;
    if (this.socket) return;
    const { server, path, transports } = this.options;
    this.setState("connecting");
    const socket = io(server, {
      path,
      transports,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      timeout: 8000,
    });
    this.socket = socket;

    socket.on("connect", () => {
      this.failures = 0;
      // A reconnect is a new socket id: ask again so the server puts it back in the session's room.
      socket.emit("session_request", { session_id: this.sessionId });
    });
    socket.on("session_confirm", (data) => {
      const id = data && typeof data === "object" ? data.session_id : data;
      if (!id) return;
      this.sessionId = String(id);
      this.ready = true;
      this.setState("online");
      this.options.onSession(this.sessionId);
    });
    socket.on("bot_uttered", (msg) => this.options.onBotMessage(msg || {}));
    socket.on("disconnect", (reason) => {
      this.ready = false;
      if (reason === "io client disconnect") return;
      this.setState(navigator.onLine === false ? "offline" : "reconnecting");
      // The server closed us on purpose (e.g. a restart): socket.io does not retry that by itself.
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("connect_error", () => {
      this.failures += 1;
      const unreachable = this.failures >= FAILURES_BEFORE_OFFLINE || navigator.onLine === false;
      this.setState(unreachable ? "offline" : this.state === "connecting" ? "connecting" : "reconnecting");
    });

    window.addEventListener("offline", () => this.setState("offline"));
    window.addEventListener("online", () => this.retry());
  }

  /** Try now instead of waiting for the next back-off step. */
  retry() {
    if (!this.socket || this.socket.connected) return;
    this.socket.disconnect();
    this.socket.connect();
  }

  /** Sends when the session is confirmed; returns false so the caller keeps the message queued. */
  send(text) {
    if (!this.ready || !this.socket) return false;
    this.socket.emit("user_uttered", { message: text, session_id: this.sessionId });
    return true;
  }

  /** Start over with a new session id (or the server's choice when null). */
  restart(sessionId) {
    this.sessionId = sessionId || null;
    if (!this.socket) return this.start(sessionId);
    this.ready = false;
    this.socket.disconnect();
    this.setState("connecting");
    this.socket.connect();
  }
}
