// The calendar's drag and drop, with pointer events (mouse, pen and touch alike): drag an event
// to move it, drag its lower edge to resize it; both snap to the grid's step (15 minutes). On
// drop the new times are posted to the event's move URL; if the server refuses (a resource is
// booked then, no right to change it) the event goes back where it was and the reason is shown.
// Without JavaScript the calendar still works: events and free slots are plain links.
(() => {
  "use strict";

  const pad = (n) => String(n).padStart(2, "0");
  // Times are the company's wall-clock times ("YYYY-MM-DDTHH:MM"); the arithmetic is done in
  // UTC so that the browser's own time zone and its daylight saving days play no part.
  const toMs = (iso) => Date.parse(`${iso}:00Z`);
  const fromMs = (ms) => {
    const d = new Date(ms);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  };
  const at = (date, minutes) => fromMs(Date.parse(`${date}T00:00:00Z`) + minutes * 60000);
  const minutesOf = (iso) => Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16));

  function csrfToken() {
    const cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (cookie) return decodeURIComponent(cookie[1]);
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch {
      return "";
    }
  }

  function showMessage(text) {
    const box = document.getElementById("calendar-message");
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }

  let drag = null;
  let suppressClick = false;

  document.addEventListener("pointerdown", (event) => {
    const element = event.target instanceof Element ? event.target.closest(".cal-event[data-move-url]") : null;
    const root = document.getElementById("calendar");
    if (!element || !root || event.button !== 0) return;
    const column = element.closest(".cal-col");
    const rect = element.getBoundingClientRect();
    drag = {
      element,
      root,
      column,
      mode: event.target.closest(".cal-resize") ? "resize" : "move",
      x: event.clientX,
      y: event.clientY,
      grab: event.clientY - rect.top,
      style: element.getAttribute("style"),
      start: element.dataset.start,
      end: element.dataset.end,
      newStart: element.dataset.start,
      newEnd: element.dataset.end,
      started: false,
      pointer: event.pointerId,
    };
  });

  document.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointer) return;
    if (!drag.started) {
      if (Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) < 5) return;
      drag.started = true;
      drag.element.classList.add("cal-dragging");
      try { drag.element.setPointerCapture(event.pointerId); } catch { /* not essential */ }
    }
    event.preventDefault();
    const snap = Number(drag.root.dataset.snap) || 15;
    const first = Number(drag.root.dataset.firstMinute);
    const total = Number(drag.root.dataset.totalMinutes);
    let column = drag.column;
    if (drag.mode === "move") {
      // Another day of the week view; the day view's columns are people: time only there.
      for (const candidate of drag.root.querySelectorAll(".cal-col")) {
        const r = candidate.getBoundingClientRect();
        if (event.clientX >= r.left && event.clientX < r.right && candidate.dataset.key === drag.column.dataset.key) {
          column = candidate;
        }
      }
      if (column !== drag.element.parentElement) column.appendChild(drag.element);
    }
    const r = column.getBoundingClientRect();
    const pointerMinute = first + ((event.clientY - r.top) / r.height) * total;
    const length = (toMs(drag.end) - toMs(drag.start)) / 60000;
    if (drag.mode === "move") {
      let top = Math.round((pointerMinute - (drag.grab / r.height) * total) / snap) * snap;
      top = Math.max(first, Math.min(top, first + total - snap));
      drag.newStart = at(column.dataset.date, top);
      drag.newEnd = fromMs(toMs(drag.newStart) + length * 60000);
      drag.element.style.top = `${(100 * (top - first)) / total}%`;
      drag.element.style.left = "0";
      drag.element.style.width = "100%";
    } else {
      const startMinute = minutesOf(drag.start);
      let end = Math.round(pointerMinute / snap) * snap;
      end = Math.max(startMinute + snap, Math.min(end, first + total));
      drag.newEnd = at(drag.start.slice(0, 10), end);
      drag.element.style.height = `${(100 * (end - startMinute)) / total}%`;
    }
    const time = drag.element.querySelector(".cal-time");
    if (time) time.textContent = `${drag.newStart.slice(11)}–${drag.newEnd.slice(11)}`;
  });

  async function drop(current) {
    const { element } = current;
    element.classList.remove("cal-dragging");
    if (current.newStart === current.start && current.newEnd === current.end) {
      putBack(current);
      return;
    }
    const body = new URLSearchParams({ start: current.newStart, end: current.newEnd });
    let answer = null;
    let refused = current.root.dataset.refused || "";
    try {
      const response = await fetch(element.dataset.moveUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
        body,
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      if (response.ok) answer = data;
      else if (data.error) refused = data.error;
    } catch {
      /* the network: refused below */
    }
    if (!answer) {
      putBack(current);
      showMessage(refused);
      return;
    }
    showMessage("");
    await refresh(element.dataset.id);
  }

  function putBack(current) {
    current.element.setAttribute("style", current.style);
    if (current.column && current.element.parentElement !== current.column) current.column.appendChild(current.element);
    const time = current.element.querySelector(".cal-time");
    if (time) time.textContent = `${current.start.slice(11)}–${current.end.slice(11)}`;
  }

  // The page again from the server (lanes, bands and labels as it lays them out).
  async function refresh(focusId) {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("calendar");
      const old = document.getElementById("calendar");
      if (fresh && old) old.replaceWith(fresh);
      const moved = document.querySelector(`#calendar .cal-col [data-id="${focusId}"]`);
      if (moved instanceof HTMLElement) moved.focus();
    } catch {
      window.location.reload();
    }
  }

  function end(event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    const current = drag;
    drag = null;
    if (!current.started) return;
    suppressClick = true;
    setTimeout(() => { suppressClick = false; }, 0);
    if (event.type === "pointercancel") {
      current.element.classList.remove("cal-dragging");
      putBack(current);
      return;
    }
    drop(current);
  }
  document.addEventListener("pointerup", end);
  document.addEventListener("pointercancel", end);
  // A drag is not a click on the event's link.
  document.addEventListener("click", (event) => {
    if (suppressClick && event.target instanceof Element && event.target.closest(".cal-event")) {
      event.preventDefault();
      suppressClick = false;
    }
  }, true);
  // The keyboard: Alt+arrow up/down moves a focused event by the step, Alt+arrow left/right
  // by a day (week view), Alt+Shift+arrow up/down moves its end.
  document.addEventListener("keydown", (event) => {
    const element = event.target instanceof Element ? event.target.closest(".cal-event[data-move-url]") : null;
    const root = document.getElementById("calendar");
    if (!element || !root || !event.altKey || !event.key.startsWith("Arrow")) return;
    const step = (Number(root.dataset.snap) || 15) * 60000;
    const { start, end } = element.dataset;
    let newStart = start;
    let newEnd = end;
    if (event.shiftKey) {
      if (event.key === "ArrowUp") newEnd = fromMs(Math.max(toMs(start) + step, toMs(end) - step));
      else if (event.key === "ArrowDown") newEnd = fromMs(toMs(end) + step);
      else return;
    } else {
      const day = root.classList.contains("cal-week") ? 86400000 : 0;
      const shift = { ArrowUp: -step, ArrowDown: step, ArrowLeft: -day, ArrowRight: day }[event.key];
      if (!shift) return;
      newStart = fromMs(toMs(start) + shift);
      newEnd = fromMs(toMs(end) + shift);
    }
    event.preventDefault();
    drop({
      element,
      root,
      column: element.closest(".cal-col"),
      style: element.getAttribute("style"),
      start,
      end,
      newStart,
      newEnd,
    });
  });
  // Links drag natively in browsers; the pointer events above do the dragging instead.
  document.addEventListener("dragstart", (event) => {
    if (event.target instanceof Element && event.target.closest("#calendar .cal-event[data-move-url]")) event.preventDefault();
  });
})();
