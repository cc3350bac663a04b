// The moderation queue with the keyboard, and decisions without a reload.
// Without this file every button still works: it posts its form and the page
// comes back at the same place (comments/admin/queue.py).
(function () {
  "use strict";

  const table = document.getElementById("result_list");
  const decideForm = document.getElementById("queue-decide");
  const help = document.getElementById("queue-help");
  if (!table || !decideForm) {
    return;
  }
  const rows = () => Array.from(table.querySelectorAll("tbody tr"));
  const KEYS = { a: "approve", s: "spam", r: "remove", u: "restore" };
  let current = -1;

  function focusRow(index) {
    const all = rows();
    if (!all.length) {
      return;
    }
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("queue-current", i === current));
    const row = all[current];
    row.tabIndex = -1;
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function announce(text) {
    const status = document.getElementById("queue-announce");
    if (status) {
      status.textContent = text;
    }
  }

  async function decide(button) {
    const row = button.closest("tr");
    const body = new FormData(decideForm);
    button.disabled = true;
    try {
      const answer = await fetch(button.formAction, {
        method: "POST",
        body: body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!answer.ok) {
        throw new Error(String(answer.status));
      }
      const result = await answer.json();
      const badge = row.querySelector(".queue-status");
      if (badge) {
        badge.className = "queue-status queue-status-" + result.status;
        badge.textContent = result.status_label;
      }
      row.querySelector("td.field-decide").innerHTML = result.decide_html;
      row.classList.add("queue-decided");
      announce(result.status_label + ".");
      focusRow(rows().indexOf(row) + 1);
    } catch (error) {
      // Fall back to the plain form: the page comes back with the outcome.
      button.disabled = false;
      decideForm.action = button.formAction;
      decideForm.submit();
    }
  }

  table.addEventListener("click", (event) => {
    const button = event.target.closest("button.queue-decision");
    if (button) {
      event.preventDefault();
      decide(button);
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    const target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) {
      return;
    }
    const key = event.key;
    if (key === "?") {
      help.hidden = !help.hidden;
      event.preventDefault();
      return;
    }
    if (key === "Escape" && !help.hidden) {
      help.hidden = true;
      return;
    }
    if (key === "j" || key === "ArrowDown") {
      focusRow(current + 1);
    } else if (key === "k" || key === "ArrowUp") {
      focusRow(current - 1);
    } else if (key === "x" && current >= 0) {
      const box = rows()[current].querySelector("input.action-select");
      if (box) {
        box.click();
      }
    } else if (KEYS[key] && current >= 0) {
      const button = rows()[current].querySelector("button.queue-" + KEYS[key]);
      if (button) {
        decide(button);
      }
    } else {
      return;
    }
    event.preventDefault();
  });
})();
