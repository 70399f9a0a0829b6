// Socket.IO link to the socketio channel (connectors/webchat/protocol.py):
// connect -> session_request {session_id, secret} -> session_confirm {session_id, secret, history, ...}
// user_uttered {message, message_id, retry} -> ack; history_request -> ack; bot_uttered {id, text, ...}.
import { io } from "socket.io-client";

// After this many failed attempts in a row the server counts as unreachable (not just a blip).
const FAILURES_BEFORE_OFFLINE = 3;
const ACK_TIMEOUT_MS = 8000;

export class Connection {
  /**
   * @param {{server: string, path: string, transports: string[],
   *          onState: (state: string) => void, onConfirm: (data: object) => void,
   *          onBotMessage: (msg: object) => void}} options
   */
  constructor(options) {
    this.options = options;
    this.socket = null;
    this.session = null; // {session_id, secret}
    this.ready = false; // true once the server confirmed our session on this socket
    this.failures = 0;
    this.state = "idle";
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.options.onState(state);
  }

  start(session) {
    this.session = session || null;
    if (this.socket) return;
    const { server, path, transports } = this.options;
    this.setState("connecting");
    const socket = io(server, {
      path,
      transports,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      timeout: 8000,
    });
    this.socket = socket;

    socket.on("connect", () => {
      this.failures = 0;
      // A reconnect is a new socket: ask again, with the secret, to be put back in the session.
      socket.emit("session_request", this.session || {});
    });
    socket.on("session_confirm", (data) => {
      if (!data || typeof data !== "object" || !data.session_id) return;
      this.session = { session_id: String(data.session_id), secret: String(data.secret || "") };
      this.ready = true;
      this.setState("online");
      this.options.onConfirm(data);
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

  /** Emits with an acknowledgement; resolves with the server's answer, rejects on timeout or when offline. */
  request(event, data) {
    return new Promise((resolve, reject) => {
      if (!this.ready || !this.socket) {
        reject(new Error("offline"));
        return;
      }
      this.socket.timeout(ACK_TIMEOUT_MS).emit(event, data, (err, ack) => {
        if (err) reject(err);
        else resolve(ack || {});
      });
    });
  }

  /** Sends one user message; the promise settles with the server's acknowledgement. */
  send(text, messageId, retry) {
    return this.request("user_uttered", { message: text, message_id: messageId, retry: !!retry });
  }

  history() {
    return this.request("history_request", {});
  }
}
