// Progressive touches only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Closing a request needs a reason: ask for it before the round trip.
  const form = document.getElementById("status-form");
  if (form) {
    form.addEventListener("submit", (event) => {
      const status = form.querySelector("select[name=status]").value;
      const reason = form.querySelector("textarea[name=reason]");
      if (status === "closed" && !reason.value.trim()) {
        event.preventDefault();
        reason.setCustomValidity("关闭需求单时请填写原因。");
        reason.reportValidity();
        reason.addEventListener("input", () => reason.setCustomValidity(""), { once: true });
      }
    });
  }
});
