// Watcher console: live countdowns to each ticket's deadline, and a queue that refreshes itself
// without losing what is typed in its filters. Everything works without this file, only staler.
"use strict";

(function () {
  const formats = JSON.parse(document.body.dataset.countdown || "{}");

  function fill(template, values) {
    return template.replace(/\{(\w)\}/g, (_, key) => values[key]);
  }

  function span(seconds) {
    const d = Math.floor(seconds / 86400), h = Math.floor(seconds / 3600) % 24;
    const m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    const pad = (n) => String(n).padStart(2, "0");
    if (d) return fill(formats.days, { d: d, h: h });
    if (h) return fill(formats.hours, { h: h, m: pad(m) });
    return fill(formats.minutes, { m: m, s: pad(s) });
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach((el) => {
      const left = Math.round((Date.parse(el.dataset.deadline) - now) / 1000);
      const overdue = left < 0;
      el.textContent = fill(overdue ? formats.overdue : formats.left, { t: span(Math.abs(left)) });
      el.classList.toggle("overdue", overdue);
    });
  }

  // Replaces each [data-live] region with its fresh copy; the filter form is left alone.
  async function refresh() {
    if (document.hidden) return;
    try {
      const answer = await fetch(location.href, { credentials: "same-origin" });
      if (!answer.ok || answer.redirected) return;  // logged out: the next click shows login
      const fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
      document.querySelectorAll("[data-live]").forEach((old) => {
        const replacement = fresh.getElementById(old.id);
        if (replacement) old.replaceWith(document.importNode(replacement, true));
      });
      tick();
    } catch (error) {
      // offline for a moment: keep showing what we have and try again next time
    }
  }

  // [data-copy] buttons copy the text of the element their value names (the suggested reply):
  // the clipboard API where the page is a secure context, else selecting it and copying.
  async function copy(button) {
    const source = document.querySelector(button.dataset.copy);
    if (!source) return;
    const text = source.value !== undefined ? source.value : source.textContent;
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) {
      source.select();
      document.execCommand("copy");
    }
    const label = button.textContent;
    button.textContent = "✓ " + button.dataset.copied;
    setTimeout(() => { button.textContent = label; }, 2000);
  }
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", () => copy(button));
  });

  // The queue's filters are folded on a phone; a wide screen has room to show them open.
  if (window.matchMedia("(min-width: 701px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach((box) => { box.open = true; });
  }

  window.watcherConsole = { refresh: refresh };  // for the browser tests, and a console user
  tick();
  setInterval(tick, 1000);
  const every = document.querySelector("[data-refresh]");
  if (every) setInterval(refresh, Number(every.dataset.refresh) * 1000);
})();
