// The chat widget: launcher, panel, message log, quick replies, composer.
// The server's transcript is the truth: it comes with every session confirmation (a reload, a reconnect)
// and the widget shows it, plus the messages typed here that the server has not taken yet.
import { Connection } from "./connection.js";
import { appendRichText, el, formatTime, safeHttpUrl } from "./render.js";
import { Store } from "./store.js";
import css from "./styles.css";

const GREET = "/greet";
const NEW_CONVERSATION = "/new_conversation";
const DEFAULT_MAX_CHARS = 1000;
const COUNTER_FROM = 0.8; // show the character counter from 80% of the limit
const TYPING_TIMEOUT_MS = 30000;
const RESYNC_EVERY_MS = 3000;
const RESEND_AFTER_MS = 1000;
const PHONE_QUERY = "(max-width: 520px)";
const PLACEHOLDER = "请输入您的问题";

const NOTICES = {
  connecting: "正在连接服务器…",
  reconnecting: "连接已断开，正在重新连接…您输入的消息会在恢复后自动发送。",
  offline: "暂时无法连接服务器，正在自动重试；您输入的消息会在恢复后自动发送。",
};
const NEW_CONFIRM = "开始新对话？未提交的需求会为您保留，之后回复“继续刚才的需求”即可接着填写。";
const tooLongNote = (length, max) => `消息有${length}字，超过了${max}字的上限，未发送。请精简后再发，或分几条发送。`;

// Host pages may style every element (`* { transform: ... }`): these would make the host element the
// containing block of the fixed panel and misplace it.
const HOST_RESET = {
  all: "initial",
  display: "block",
  position: "static",
  transform: "none",
  filter: "none",
  perspective: "none",
  contain: "none",
  "will-change": "auto",
  "backdrop-filter": "none",
};

const ICON_CHAT =
  "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";

function svgIcon(d) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", d);
  svg.append(path);
  return svg;
}

let counter = 0;
/** A message id no other client will make: 16 random hex digits and a counter. */
function nextId() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return `w${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}${(counter++).toString(36)}`;
}

/** A server item or a live bot message, in the widget's shape. */
function fromServer(msg) {
  const replies = (msg.quick_replies || msg.buttons || [])
    .filter((b) => b && typeof b.title === "string")
    .map((b) => ({ title: b.title, payload: typeof b.payload === "string" ? b.payload : b.title }));
  const image = safeHttpUrl(msg.image || msg.attachment?.payload?.src || "");
  const item = {
    id: String(msg.id || nextId()),
    from: msg.from === "user" ? "user" : "bot",
    text: typeof msg.text === "string" ? msg.text : "",
    ts: Number(msg.ts) || Date.now(),
  };
  if (replies.length) item.replies = replies;
  if (image && item.from === "bot") item.image = image;
  if (item.from === "bot" && typeof msg.staff === "string" && msg.staff) item.staff = msg.staff;
  if (item.from === "user") item.state = "sent";
  return item;
}

export class ChatWidget {
  /** @param {{server: string, path: string, title: string, subtitle: string, transports: string[],
   *           storageKey: string, expiryDays: number}} config */
  constructor(config) {
    this.config = config;
    this.store = new Store(config.storageKey, config.expiryDays);
    const saved = this.store.load();
    this.session = saved.session_id ? { session_id: saved.session_id, secret: saved.secret } : null;
    this.wasOpen = !!saved.open;
    this.items = [];
    this.maxChars = DEFAULT_MAX_CHARS;
    this.greetSent = false;
    this.unread = 0;
    this.isOpen = false;
    this.typingTimer = null;
    this.resyncTimer = null;
    this.connection = new Connection({
      server: config.server,
      path: config.path,
      transports: config.transports,
      onState: (state) => this.renderState(state),
      onConfirm: (data) => this.onConfirm(data),
      onBotMessage: (msg) => this.onBotMessage(msg),
    });
  }

  mount() {
    // A custom tag, so the host page's generic rules (div { ... }) never match the host element; a child of
    // <html> rather than <body>, so a transform on the page's body or wrappers cannot misplace the panel.
    this.host = el("chanyan-webchat", { id: "chanyan-webchat" });
    for (const [name, value] of Object.entries(HOST_RESET)) this.host.style.setProperty(name, value, "important");
    const shadow = this.host.attachShadow({ mode: "open" });
    shadow.append(el("style", { text: css }), this.build());
    document.documentElement.append(this.host);
    this.pinRoot();
    if (this.wasOpen) this.open({ focus: false });
  }

  build() {
    const { title, subtitle } = this.config;
    this.launcher = el(
      "button",
      {
        class: "launcher",
        type: "button",
        "aria-label": `打开在线咨询：${title}`,
        "aria-expanded": "false",
        "aria-controls": "cy-panel",
        onclick: () => this.open(),
      },
      svgIcon(ICON_CHAT),
    );
    this.badge = el("span", { class: "badge", hidden: true, "aria-hidden": "true" });
    this.launcher.append(this.badge);

    this.notice = el("div", { class: "notice", role: "status", hidden: true });
    this.noticeText = el("span");
    this.retryButton = el("button", {
      type: "button",
      class: "link",
      text: "立即重试",
      hidden: true,
      onclick: () => this.connection.retry(),
    });
    this.notice.append(this.noticeText, this.retryButton);

    this.confirmYes = el("button", {
      type: "button",
      class: "primary",
      text: "开始新对话",
      onclick: () => this.newConversation(),
    });
    this.confirmBar = el(
      "div",
      { class: "confirm", role: "alertdialog", "aria-label": "确认开始新对话", hidden: true },
      el("p", { text: NEW_CONFIRM }),
      el(
        "div",
        { class: "actions" },
        this.confirmYes,
        el("button", { type: "button", class: "secondary", text: "取消", onclick: () => this.cancelNew() }),
      ),
    );

    this.log = el("div", {
      class: "log",
      role: "log",
      "aria-live": "polite",
      "aria-label": "对话记录",
      tabindex: "0",
    });
    this.typing = el(
      "div",
      { class: "typing", hidden: true, role: "status", "aria-label": "助手正在输入" },
      el("span"),
      el("span"),
      el("span"),
    );

    // No maxlength: the browser would cut a long paste silently. The limit is checked on sending instead.
    this.input = el("textarea", {
      class: "input",
      rows: "1",
      "aria-label": "输入消息",
      "aria-describedby": "cy-note",
      placeholder: PLACEHOLDER,
      enterkeyhint: "send",
    });
    this.input.addEventListener("keydown", (event) => {
      // Enter while a Chinese IME is composing picks a candidate; it must not send.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => {
      this.autosize();
      this.updateCounter();
    });
    this.sendButton = el("button", { class: "send", type: "submit", text: "发送", "aria-label": "发送消息" });
    this.counter = el("span", { class: "counter", hidden: true, "aria-hidden": "true" });
    this.note = el("p", { class: "note", id: "cy-note", role: "alert", hidden: true });
    const composer = el(
      "form",
      {
        class: "composer",
        onsubmit: (event) => {
          event.preventDefault();
          this.submit();
        },
      },
      this.input,
      this.sendButton,
    );

    this.panel = el(
      "section",
      {
        class: "panel",
        id: "cy-panel",
        role: "dialog",
        "aria-labelledby": "cy-title",
        "aria-describedby": "cy-subtitle",
        hidden: true,
      },
      el(
        "header",
        { class: "header" },
        el(
          "div",
          { class: "heading" },
          el("h2", { id: "cy-title", text: title }),
          el("p", { id: "cy-subtitle", text: subtitle }),
        ),
        el("button", {
          class: "new",
          type: "button",
          text: "新对话",
          "aria-label": "开始新对话",
          title: "开始新对话",
          onclick: () => this.askNewConversation(),
        }),
        el("button", {
          class: "close",
          type: "button",
          text: "×",
          "aria-label": "关闭对话窗口",
          title: "关闭（Esc）",
          onclick: () => this.close(),
        }),
      ),
      this.notice,
      this.confirmBar,
      el("div", { class: "scroller" }, this.log, this.typing),
      el("div", { class: "footer" }, this.note, this.counter, composer),
    );
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.close();
      }
    });

    return el("div", { class: "root" }, this.launcher, this.panel);
  }

  open({ focus = true } = {}) {
    this.isOpen = true;
    this.store.save({ open: true });
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.host.classList.add("open");
    this.launcher.classList.add("hidden");
    this.unread = 0;
    this.badge.hidden = true;
    this.lockPageScroll(true);
    this.pinRoot();
    this.scrollToEnd();
    if (this.connection.state === "idle") this.connection.start(this.session);
    if (focus) this.input.focus();
  }

  close() {
    this.isOpen = false;
    this.store.save({ open: false });
    this.panel.hidden = true;
    this.confirmBar.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.classList.remove("hidden");
    this.lockPageScroll(false);
    this.launcher.focus();
  }

  /** A transform (or filter, ...) on <html> itself, usually from a host rule like `* { transform: ... }`, makes
   * the root the panel's containing block: the panel would scroll away with the page. Undo just those. */
  pinRoot() {
    const root = document.documentElement;
    const style = getComputedStyle(root);
    for (const name of ["transform", "filter", "perspective", "backdrop-filter"]) {
      const value = style.getPropertyValue(name);
      if (value && value !== "none") root.style.setProperty(name, "none", "important");
    }
    const willChange = style.getPropertyValue("will-change");
    if (/transform|filter|perspective/.test(willChange)) root.style.setProperty("will-change", "auto", "important");
    if (/paint|layout|strict|content/.test(style.getPropertyValue("contain"))) {
      root.style.setProperty("contain", "none", "important");
    }
  }

  /** On phones the panel covers the page: keep the page behind it from scrolling. */
  lockPageScroll(lock) {
    const root = document.documentElement;
    if (lock && window.matchMedia?.(PHONE_QUERY).matches) {
      if (this.savedOverflow === undefined) this.savedOverflow = root.style.overflow;
      root.style.overflow = "hidden";
    } else if (!lock && this.savedOverflow !== undefined) {
      root.style.overflow = this.savedOverflow;
      this.savedOverflow = undefined;
    }
  }

  // --- 新对话 ------------------------------------------------------------------

  askNewConversation() {
    if (!this.isOpen) this.open({ focus: false });
    this.confirmBar.hidden = false;
    this.confirmYes.focus();
  }

  cancelNew() {
    this.confirmBar.hidden = true;
    this.input.focus();
  }

  /** Starts over in the same session: the bot sets the draft aside (resumable) and greets again. */
  newConversation() {
    this.confirmBar.hidden = true;
    this.items = [];
    this.log.replaceChildren();
    this.hideTyping();
    this.queue({ id: nextId(), from: "user", text: NEW_CONVERSATION, hidden: true });
    this.input.focus();
  }

  // --- connection events -------------------------------------------------

  onConfirm(data) {
    const changed = !this.session || this.session.session_id !== data.session_id;
    this.session = { session_id: String(data.session_id), secret: String(data.secret || "") };
    this.store.save(this.session);
    const limit = Number(data.limits?.message_chars);
    if (limit > 0) this.maxChars = limit;
    this.updateCounter();
    if (changed && !data.resumed) {
      // A new session: what was shown belonged to another one; only what was typed here and not sent stays.
      this.items = this.items.filter((item) => item.from === "user" && item.state === "queued");
      this.renderAll();
    }
    if (Array.isArray(data.history)) this.sync(data.history);
    if (!data.started && !this.greetSent && !this.items.length) {
      // The greeting is the bot's answer to the greet intent; no user bubble for it.
      this.greetSent = true;
      this.queue({ id: nextId(), from: "user", text: GREET, hidden: true });
    }
    this.flush();
    if (data.pending || this.awaitingReply()) this.expectReply();
  }

  onBotMessage(msg) {
    const item = fromServer(msg);
    if (this.items.some((known) => known.id === item.id)) return; // already shown (from the history)
    if (!item.text && !item.replies && !item.image) return;
    this.items.push(item);
    this.renderItem(item);
    this.refreshQuickReplies();
    this.hideTyping();
    if (!this.isOpen) {
      this.unread += 1;
      this.badge.textContent = String(Math.min(this.unread, 99));
      this.badge.hidden = false;
    }
  }

  /** Shows the server's transcript, keeping what is already on screen and what was typed here. */
  sync(history) {
    const shown = new Map(this.items.map((item) => [item.id, item]));
    const onServer = new Set(history.map((entry) => String(entry.id)));
    const next = history.map((entry) => {
      const known = shown.get(String(entry.id));
      if (!known) return fromServer(entry);
      if (known.from === "user" && known.state !== "sent") {
        known.state = "sent";
        this.updateStatus(known);
      }
      return known;
    });
    for (const item of this.items) {
      // Typed here and not in the transcript yet (commands like /greet never are, once sent).
      if (item.local && !onServer.has(item.id) && !(item.hidden && item.state === "sent")) next.push(item);
    }
    const same = next.length === this.items.length && next.every((item, i) => item === this.items[i]);
    this.items = next;
    if (!same) this.renderAll();
  }

  renderState(state) {
    const message = NOTICES[state];
    this.notice.hidden = !message;
    this.noticeText.textContent = message || "";
    this.notice.className = `notice ${state}`;
    this.retryButton.hidden = state !== "offline";
    if (state !== "online") this.stopResync();
  }

  // --- sending -------------------------------------------------------------

  submit() {
    const text = this.input.value.trim();
    if (!text) return;
    if (text.length > this.maxChars) {
      this.showNote(tooLongNote(text.length, this.maxChars));
      return;
    }
    this.showNote("");
    this.input.value = "";
    this.autosize();
    this.updateCounter();
    this.sendUser(text);
  }

  sendUser(text, payload) {
    const item = { id: nextId(), from: "user", text, ts: Date.now() };
    if (payload) item.payload = payload;
    this.queue(item);
  }

  queue(item) {
    item.state = "queued";
    item.local = true;
    this.items.push(item);
    if (!item.hidden) {
      this.renderItem(item);
      this.refreshQuickReplies();
    }
    this.flush();
  }

  /** Sends queued messages in order; each keeps its id, so a resend after a drop is handled once. */
  flush() {
    if (!this.connection.ready) return;
    for (const item of this.items) {
      if (item.from !== "user" || item.state !== "queued") continue;
      item.state = "sending";
      const retry = !!item.tries;
      item.tries = (item.tries || 0) + 1;
      this.connection.send(item.payload || item.text, item.id, retry).then(
        (ack) => this.onAck(item, ack),
        () => {
          if (item.state !== "sending") return;
          item.state = "queued"; // sent again after the next session confirmation (or soon, if still online)
          this.updateStatus(item);
          if (this.connection.ready) setTimeout(() => this.flush(), RESEND_AFTER_MS);
        },
      );
    }
  }

  onAck(item, ack) {
    if (ack.ok) {
      item.state = "sent";
      this.updateStatus(item);
      this.expectReply();
    } else if (ack.error === "too_long") {
      item.state = "refused";
      item.note = `未发送：超过${ack.limit || this.maxChars}字`;
      this.updateStatus(item);
      this.showNote(ack.text || tooLongNote(item.text.length, ack.limit || this.maxChars));
    } else {
      item.state = "queued"; // no session on this socket yet: sent after the confirmation
      this.updateStatus(item);
    }
  }

  /** Whether the last thing said is the user's, taken by the server and not answered yet. */
  awaitingReply() {
    const last = this.items.filter((item) => item.state !== "refused").pop();
    return !!last && last.from === "user" && last.state === "sent";
  }

  /** Typing indicator until a reply arrives; meanwhile re-sync now and then, in case it went elsewhere. */
  expectReply() {
    this.showTyping();
    this.stopResync();
    const started = Date.now();
    const tick = () => {
      if (!this.awaitingReply() || Date.now() - started > TYPING_TIMEOUT_MS) {
        this.resyncTimer = null;
        return;
      }
      this.connection
        .history()
        .then((answer) => {
          if (Array.isArray(answer.history)) this.sync(answer.history);
          if (!this.awaitingReply() && !answer.pending) this.hideTyping();
        })
        .catch(() => {});
      this.resyncTimer = setTimeout(tick, RESYNC_EVERY_MS);
    };
    this.resyncTimer = setTimeout(tick, RESYNC_EVERY_MS);
  }

  stopResync() {
    clearTimeout(this.resyncTimer);
    this.resyncTimer = null;
  }

  // --- rendering -----------------------------------------------------------

  renderAll() {
    this.log.replaceChildren();
    for (const item of this.items) if (!item.hidden) this.renderItem(item);
    this.refreshQuickReplies();
  }

  renderItem(item) {
    if (!item.node) {
      const who = item.from === "user" ? "user" : "bot";
      const bubble = el("div", { class: "bubble" });
      appendRichText(bubble, item.text);
      if (item.image) bubble.append(el("img", { src: item.image, alt: "图片", loading: "lazy" }));
      const meta = el(
        "div",
        { class: "meta" },
        el("time", { datetime: new Date(item.ts).toISOString(), text: formatTime(item.ts) }),
      );
      // A reply typed by a staff member in the console: named, so the user knows a person answered.
      if (item.staff) meta.prepend(el("span", { class: "staff", text: `对接专员 ${item.staff} · ` }));
      const spoken = who === "user" ? "您说：" : item.staff ? `对接专员${item.staff}说：` : "助手说：";
      const node = el(
        "div",
        { class: `msg ${who}${item.staff ? " staff" : ""}`, "data-from": who, "data-id": item.id },
        el("span", { class: "sr", text: spoken }),
        bubble,
        meta,
      );
      Object.defineProperty(item, "node", { value: node, enumerable: false, configurable: true });
      this.updateStatus(item);
    }
    this.log.append(item.node);
    this.scrollToEnd();
  }

  updateStatus(item) {
    const node = item.node;
    if (!node || item.from !== "user") return;
    const waiting = item.state === "queued" || item.state === "sending";
    node.classList.toggle("pending", waiting);
    node.classList.toggle("refused", item.state === "refused");
    const meta = node.querySelector(".meta");
    meta.querySelector(".status")?.remove();
    const label = waiting ? "等待发送" : item.state === "refused" ? item.note : "";
    if (label) meta.append(el("span", { class: "status", text: label }));
  }

  /** Quick replies belong to the bot's latest messages only: once the user answered, they are gone. */
  refreshQuickReplies() {
    for (const group of this.log.querySelectorAll(".quick")) group.remove();
    for (let i = this.items.length - 1; i >= 0; i -= 1) {
      const item = this.items[i];
      if (item.hidden || item.state === "refused") continue;
      if (item.from === "user") break;
      if (!item.replies || !item.node) continue;
      const group = el("div", { class: "quick", role: "group", "aria-label": "快捷回复" });
      for (const reply of item.replies) {
        group.append(
          el("button", {
            type: "button",
            class: "reply",
            text: reply.title,
            onclick: () => {
              this.sendUser(reply.title, reply.payload);
              this.input.focus(); // the buttons are gone: keep the keyboard in the widget
            },
          }),
        );
      }
      item.node.append(group);
    }
  }

  showNote(text) {
    this.note.textContent = text;
    this.note.hidden = !text;
  }

  updateCounter() {
    const length = this.input.value.trim().length;
    const show = length >= this.maxChars * COUNTER_FROM;
    this.counter.hidden = !show;
    this.counter.textContent = show ? `${length}/${this.maxChars}` : "";
    this.counter.classList.toggle("over", length > this.maxChars);
    if (length <= this.maxChars && this.note.textContent.startsWith("消息有")) this.showNote("");
  }

  showTyping() {
    this.typing.hidden = false;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.hideTyping(), TYPING_TIMEOUT_MS);
    this.scrollToEnd();
  }

  hideTyping() {
    clearTimeout(this.typingTimer);
    this.typing.hidden = true;
  }

  scrollToEnd() {
    const scroller = this.log.parentElement;
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
  }

  autosize() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 120)}px`;
  }
}
