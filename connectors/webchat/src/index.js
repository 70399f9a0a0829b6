// Entry point: <script src=".../widget.js" data-server="http://host:5005" data-title="产研通需求助手"
//   data-expiry-days="7"></script>
import { ChatWidget } from "./widget.js";

const script = document.currentScript;

function config() {
  const data = (script && script.dataset) || {};
  const scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  return {
    server: data.server || scriptOrigin,
    path: data.path || "/socket.io",
    // Websocket only by default: Rasa's socketio channel sends no CORS headers for polling,
    // and the widget is usually served from another origin than Rasa.
    transports: (data.transports || "websocket").split(",").map((t) => t.trim()).filter(Boolean),
    title: data.title || "产研通需求助手",
    subtitle: data.subtitle || "在线为您梳理技术需求",
    storageKey: data.storageKey || "",
    // Days the session id is remembered on this browser after its last use (0: not at all).
    expiryDays: Number.isFinite(Number(data.expiryDays ?? "x")) ? Number(data.expiryDays) : 7,
  };
}

function boot() {
  if (window.ChanyanChat) return; // embedded twice: keep the first
  const widget = new ChatWidget(config());
  widget.mount();
  window.ChanyanChat = {
    open: () => widget.open(),
    close: () => widget.close(),
    newConversation: () => widget.askNewConversation(),
  };
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();
