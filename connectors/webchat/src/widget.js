// The chat widget: launcher, panel, message log, quick replies, composer.
import { Connection } from "./connection.js";
import { appendRichText, el, formatTime, safeHttpUrl } from "./render.js";
import { Store } from "./store.js";
import css from "./styles.css";

const GREET = "/greet";
const MAX_INPUT = 1000;
const TYPING_TIMEOUT_MS = 30000;

const NOTICES = {
  connecting: "正在连接服务器…",
  reconnecting: "连接已断开，正在重新连接…您输入的消息会在恢复后自动发送。",
  offline: "暂时无法连接服务器，请检查网络。我们会自动重试。",
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

let uid = 0;
const nextId = () => `${Date.now().toString(36)}-${(uid++).toString(36)}`;

export class ChatWidget {
  /** @param {{server: string, path: string, title: string, subtitle: string, transports: string[]}} config */
  constructor(config) {
    this.config = config;
    this.store = new Store(config.storageKey);
    this.sessionId = this.store.sessionId;
    this.items = this.store.history(this.sessionId);
    this.unread = 0;
    this.isOpen = false;
    this.typingTimer = null;
    this.connection = new Connection({
      server: config.server,
      path: config.path,
      transports: config.transports,
      onState: (state) => this.renderState(state),
      onSession: (id) => this.onSession(id),
      onBotMessage: (msg) => this.onBotMessage(msg),
    });
  }

  mount() {
    // A custom tag, so the host page's generic rules (div { ... }) never match the host element.
    this.host = el("chanyan-webchat", { id: "chanyan-webchat" });
    const shadow = this.host.attachShadow({ mode: "open" });
    shadow.append(el("style", { text: css }), this.build());
    document.body.append(this.host);
    this.items.forEach((item) => this.renderItem(item));
    if (this.store.open) this.open({ focus: false });
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

    this.input = el("textarea", {
      class: "input",
      rows: "1",
      maxlength: String(MAX_INPUT),
      "aria-label": "输入消息",
      placeholder: "请输入您的问题，按 Enter 发送",
      enterkeyhint: "send",
    });
    this.input.addEventListener("keydown", (event) => {
      // Enter while a Chinese IME is composing picks a candidate; it must not send.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => this.autosize());
    this.sendButton = el("button", { class: "send", type: "submit", text: "发送", "aria-label": "发送消息" });
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
          onclick: () => this.newConversation(),
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
      el("div", { class: "scroller" }, this.log, this.typing),
      composer,
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
    this.store.open = true;
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.host.classList.add("open");
    this.launcher.classList.add("hidden");
    this.unread = 0;
    this.badge.hidden = true;
    this.scrollToEnd();
    if (this.connection.state === "idle") this.connection.start(this.sessionId);
    if (focus) (this.input.disabled ? this.panel.querySelector(".close") : this.input).focus();
  }

  close() {
    this.isOpen = false;
    this.store.open = false;
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.classList.remove("hidden");
    this.launcher.focus();
  }

  newConversation() {
    this.store.forget(this.sessionId);
    this.sessionId = null;
    this.items = [];
    this.log.replaceChildren();
    this.hideTyping();
    this.connection.restart(null);
    this.input.focus();
  }

  // --- connection events -------------------------------------------------

  onSession(id) {
    if (id !== this.sessionId) {
      this.sessionId = id;
      this.store.sessionId = id;
      this.persist();
    }
    const meta = this.store.meta(id);
    if (!meta.greeted) {
      this.store.setMeta(id, { ...meta, greeted: true });
      // The greeting is the bot's answer to the greet intent; no user bubble for it.
      if (!this.items.some((item) => item.from === "bot")) {
        this.connection.send(GREET);
        this.showTyping();
      }
    }
    this.flush();
  }

  onBotMessage(msg) {
    const buttons = (msg.quick_replies || msg.buttons || [])
      .filter((b) => b && typeof b.title === "string")
      .map((b) => ({ title: b.title, payload: typeof b.payload === "string" ? b.payload : b.title }));
    const image = msg.attachment?.type === "image" ? safeHttpUrl(msg.attachment.payload?.src) : null;
    const text = typeof msg.text === "string" ? msg.text : "";
    if (!text && !buttons.length && !image) return;
    const item = { id: nextId(), from: "bot", text, ts: Date.now() };
    if (buttons.length) item.buttons = buttons;
    if (image) item.image = image;
    this.hideTyping();
    this.add(item);
    if (!this.isOpen) {
      this.unread += 1;
      this.badge.textContent = String(Math.min(this.unread, 99));
      this.badge.hidden = false;
    }
  }

  renderState(state) {
    const message = NOTICES[state];
    this.notice.hidden = !message;
    this.noticeText.textContent = message || "";
    this.notice.className = `notice ${state}`;
    this.retryButton.hidden = state !== "offline";
    const offline = state === "offline";
    this.input.disabled = offline;
    this.sendButton.disabled = offline;
    this.input.placeholder = offline ? "网络恢复后即可继续输入" : "请输入您的问题，按 Enter 发送";
    if (state === "online") this.flush();
    else this.hideTyping();
  }

  // --- sending -------------------------------------------------------------

  submit() {
    if (this.input.disabled) return;
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.autosize();
    this.sendUser(text);
  }

  sendUser(text, payload) {
    this.closeQuickReplies();
    const item = { id: nextId(), from: "user", text, ts: Date.now(), pending: true };
    if (payload) item.payload = payload;
    this.add(item);
    this.flush();
  }

  /** Sends queued user messages in order once the session is confirmed. */
  flush() {
    for (const item of this.items) {
      if (!item.pending) continue;
      if (!this.connection.send(item.payload || item.text)) break;
      delete item.pending;
      item.node?.classList.remove("pending");
      item.node?.querySelector(".status")?.remove();
      this.showTyping();
    }
    this.persist();
  }

  closeQuickReplies() {
    for (const item of this.items) {
      if (item.buttons && !item.answered) {
        item.answered = true;
        item.node?.querySelector(".quick")?.remove();
      }
    }
  }

  // --- rendering -----------------------------------------------------------

  add(item) {
    this.items.push(item);
    this.renderItem(item);
    this.persist();
  }

  persist() {
    // The DOM node is runtime-only; keep it out of localStorage.
    this.store.saveHistory(
      this.sessionId,
      this.items.map(({ node, ...rest }) => rest),
    );
  }

  renderItem(item) {
    const who = item.from === "user" ? "user" : "bot";
    const bubble = el("div", { class: "bubble" });
    appendRichText(bubble, item.text);
    if (item.image) bubble.append(el("img", { src: item.image, alt: "图片", loading: "lazy" }));
    const meta = el(
      "div",
      { class: "meta" },
      el("time", { datetime: new Date(item.ts).toISOString(), text: formatTime(item.ts) }),
    );
    if (item.pending) meta.append(el("span", { class: "status", text: "等待发送" }));
    const node = el(
      "div",
      { class: `msg ${who}${item.pending ? " pending" : ""}`, "data-from": who },
      el("span", { class: "sr", text: who === "user" ? "您说：" : "助手说：" }),
      bubble,
      meta,
    );
    if (item.buttons && !item.answered) {
      const group = el("div", { class: "quick", role: "group", "aria-label": "快捷回复" });
      for (const button of item.buttons) {
        group.append(
          el("button", {
            type: "button",
            class: "reply",
            text: button.title,
            onclick: () => {
              if (!this.input.disabled) this.sendUser(button.title, button.payload);
            },
          }),
        );
      }
      node.append(group);
    }
    Object.defineProperty(item, "node", { value: node, enumerable: false, configurable: true });
    this.log.append(node);
    this.scrollToEnd();
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
