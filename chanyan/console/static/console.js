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
