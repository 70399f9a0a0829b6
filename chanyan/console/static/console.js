// Progressive touches only: every page works without this file (the server validates everything again).
document.addEventListener("DOMContentLoaded", () => {
  // Closing a request needs a reason: ask for it before the round trip.
  const form = document.getElementById("status-form");
  if (!form) return;
  const status = form.querySelector("select[name=status]");
  const reason = form.querySelector("textarea[name=reason]");
  const check = () => {
    const missing = status.value === "closed" && !reason.value.trim();
    reason.setCustomValidity(missing ? "关闭需求单时请填写原因。" : "");
    return !missing;
  };
  status.addEventListener("change", check);
  reason.addEventListener("input", check);
  form.addEventListener("submit", (event) => {
    if (!check()) {
      event.preventDefault();
      reason.reportValidity();
    }
  });
});

// The live conversation page: new messages and the channel's window appear without a reload. The server renders
// (and escapes) both parts; a failed poll keeps what is shown and tries again.
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("live-conversation");
  if (!root) return;
  const url = root.dataset.liveUrl;
  const every = Math.max(1, Number(root.dataset.pollSeconds) || 3) * 1000;
  const transcript = document.getElementById("live-transcript");
  const status = document.getElementById("live-status");
  let shown = transcript.querySelectorAll(".turn").length;
  let lastStatus = status.innerHTML;
  const poll = async () => {
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const live = await response.json();
        if (live.turns !== shown) {
          transcript.innerHTML = live.transcript_html;
          shown = live.turns;
          const last = transcript.querySelector(".turn:last-child");
          if (last) last.scrollIntoView({ block: "nearest" });
        }
        if (live.status_html !== lastStatus) {
          status.innerHTML = live.status_html;
          lastStatus = live.status_html;
        }
        root.dataset.updated = String(Date.now());
      }
    } catch {
      // offline for a moment: the next poll catches up
    }
    setTimeout(poll, every);
  };
  setTimeout(poll, every);
});
