// Safe rendering helpers: user and bot text only ever becomes text nodes, <br> and <a>.

// Stop a URL before whitespace, quotes, angle brackets and full-width punctuation,
// so "详见 https://example.com/a。" does not swallow the Chinese full stop.
const URL_RE = /https?:\/\/[^\s<>"'`，。！？；：、（）【】《》「」“”‘’]+/g;
const TRAILING_PUNCT_RE = /[.,;:!?)\]}]+$/;

/** Returns the URL when it is a well-formed http(s) URL, otherwise null. */
export function safeHttpUrl(raw) {
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

function appendLine(parent, line) {
  let last = 0;
  for (const match of line.matchAll(URL_RE)) {
    let raw = match[0];
    const trail = raw.match(TRAILING_PUNCT_RE);
    if (trail) raw = raw.slice(0, -trail[0].length);
    const href = safeHttpUrl(raw);
    if (!href) continue;
    if (match.index > last) parent.append(document.createTextNode(line.slice(last, match.index)));
    const a = document.createElement("a");
    a.href = href;
    a.textContent = raw;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    parent.append(a);
    last = match.index + raw.length;
  }
  if (last < line.length) parent.append(document.createTextNode(line.slice(last)));
}

/** Appends text to parent: "\n" becomes <br>, http(s) URLs become links. */
export function appendRichText(parent, text) {
  String(text ?? "")
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (i > 0) parent.append(document.createElement("br"));
      appendLine(parent, line);
    });
}

const pad = (n) => String(n).padStart(2, "0");

/** "14:05" for today, "3月8日 14:05" for other days. */
export function formatTime(ts, now = new Date()) {
  const d = new Date(ts);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.toDateString() === now.toDateString() ? hm : `${d.getMonth() + 1}月${d.getDate()}日 ${hm}`;
}

/** Small element factory; never takes HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children);
  return node;
}
