// Window staff page: log in, call and serve tickets, live counts over Server-Sent Events.
"use strict";

const $ = (id) => document.getElementById(id);
const STATUS_TEXT = {
  waiting: "等候中 Waiting", called: "已呼叫 Called", serving: "办理中 Serving", held: "已暂停 Held",
  done: "已办结 Done", no_show: "过号 No-show", transferred: "已转移 Transferred", cancelled: "已取消 Cancelled",
};

let session = JSON.parse(sessionStorage.getItem("staff-session") || "null");
let services = [];
let view = null;
let refreshTimer = null;

function say(text, error) {
  const m = $("message");
  m.textContent = text || "";
  m.className = error ? "message error" : "message";
}

const CHECK_IN_TEXT = { early: "提前签到 Early", on_time: "已签到 Checked in", late: "迟到，按现场号 Late, walk-in" };

async function api(method, path, body, extraHeaders) {
  const headers = Object.assign({ "Accept": "application/json" }, extraHeaders || {});
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (session) headers["Authorization"] = "Bearer " + session.token;
  const resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (resp.status === 204) return null;
  const data = await resp.json().catch(() => ({}));
  if (resp.status === 401 && session && path !== "/api/v1/login") {
    logoutLocal("登录已失效，请重新登录 / Session expired, please log in again");
  }
  if (!resp.ok) throw new Error(data.error || ("HTTP " + resp.status));
  return data;
}

function logoutLocal(msg) {
  session = null;
  sessionStorage.removeItem("staff-session");
  connectEvents();
  showDesk(false);
  say(msg || "", !!msg);
}

function showDesk(on) {
  $("login").hidden = on;
  $("desk").hidden = !on;
  $("who").hidden = !on;
}

async function loadQueue() {
  const q = await api("GET", "/api/v1/queue");
  services = q.services;
  showAlerts(q.alerts || []);
  const sel = $("login-window");
  if (!sel.options.length) {
    for (const w of q.windows) {
      const o = document.createElement("option");
      o.value = w.id;
      o.textContent = w.name + " " + w.name_en;
      sel.appendChild(o);
    }
  }
  const tbody = $("services").querySelector("tbody");
  tbody.innerHTML = "";
  for (const s of q.services) {
    const tr = document.createElement("tr");
    tr.innerHTML = "<td></td><td class='n'></td><td></td>";
    tr.children[0].textContent = s.name + " " + s.name_en;
    tr.children[1].textContent = s.waiting;
    tr.children[1].id = "waiting-" + s.id;
    tr.children[2].textContent = s.eta_minutes[0] + "–" + s.eta_minutes[1] + " 分钟 min";
    tbody.appendChild(tr);
  }
  for (const id of ["transfer-service", "counter-service"]) {
    const sel = $(id);
    const chosen = sel.value;
    sel.innerHTML = "";
    for (const s of q.services) {
      const o = document.createElement("option");
      o.value = s.id;
      o.textContent = s.name + " " + s.name_en;
      sel.appendChild(o);
    }
    if (chosen) sel.value = chosen;
  }
}

// "09:30–10:00" in the browser's local time (the staff PCs of the site).
function slotText(a) {
  const hm = (iso) => new Date(iso).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
  return hm(a.slot_start) + "–" + hm(a.slot_end);
}

// Device alerts in the banner; a help request (a visitor pressed a kiosk's help button) gets a button
// for the staff member who went to the kiosk.
function showAlerts(alerts) {
  const banner = $("printer-banner");
  const shown = alerts.filter((a) => a.message);
  banner.hidden = shown.length === 0;
  banner.textContent = "";
  shown.forEach((a, i) => {
    if (i > 0) banner.appendChild(document.createTextNode("；"));
    banner.appendChild(document.createTextNode(a.message));
    if (a.alerts && a.alerts.help) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "attend";
      b.textContent = "已到场 Attended";
      b.setAttribute("aria-label", "已到场 " + a.device + " / Attended " + a.device);
      b.onclick = async () => {
        try {
          await api("POST", "/api/v1/devices/" + encodeURIComponent(a.device) + "/help/clear");
          await loadQueue();
        } catch (e) {
          say(e.message, true);
        }
      };
      banner.appendChild(b);
    }
  });
}

function ticketItem(t, onClick) {
  const li = document.createElement("li");
  li.textContent = t.number + " · " + (serviceName(t.service)) + " · " + t.waited_minutes + " 分钟 min";
  if (t.priority !== "none") li.className = "priority";
  if (t.appointment) {
    const badge = document.createElement("span");
    badge.className = "appointment";
    badge.textContent = t.appointment.precedence
      ? "预约 " + slotText(t.appointment) + " Appointment"
      : "预约已失效 " + slotText(t.appointment) + " Walk-in";
    li.appendChild(badge);
  }
  if (t.returns) li.appendChild(document.createTextNode(" · 已回队 " + t.returns + " 次 returned"));
  li.dataset.number = t.number;
  if (onClick) li.addEventListener("click", () => onClick(t));
  return li;
}

function serviceName(id) {
  const s = services.find((x) => x.id === id);
  return s ? s.name : id;
}

async function loadWindow() {
  if (!session) return;
  view = await api("GET", "/api/v1/windows/" + session.window);
  $("window-name").textContent = view.window.name + " " + view.window.name_en;
  const cur = view.current;
  $("current-number").textContent = cur ? cur.number : "—";
  $("current-status").textContent = cur
    ? STATUS_TEXT[cur.status] + " · " + serviceName(cur.service) + (cur.recalls ? " · 重呼 " + cur.recalls + " 次 recalls" : "")
    : "空闲 Idle";
  const status = cur ? cur.status : null;
  $("btn-call-next").disabled = !!cur;
  $("btn-recall").disabled = status !== "called";
  $("btn-no-show").disabled = status !== "called";
  $("btn-start").disabled = status !== "called";
  $("btn-complete").disabled = !cur;
  $("btn-transfer").disabled = !cur;
  $("btn-hold").disabled = !cur;
  $("btn-resume").disabled = !!cur || view.held.length === 0;
  const wl = $("waiting-list");
  wl.innerHTML = "";
  for (const t of view.waiting) wl.appendChild(ticketItem(t, (x) => act("call", { number: x.number })));
  for (const t of view.late_callable) {
    const li = ticketItem(t, (x) => act("call", { number: x.number }));
    li.appendChild(document.createTextNode(" · 过号可补叫 late"));
    const back = document.createElement("button");
    back.type = "button";
    back.className = "return";
    back.textContent = "回队 Back in queue";
    back.setAttribute("aria-label", "回队 " + t.number + " / Put " + t.number + " back in the queue");
    back.addEventListener("click", (ev) => {
      ev.stopPropagation();
      act("return", { number: t.number });
    });
    li.appendChild(back);
    wl.appendChild(li);
  }
  $("waiting-total").textContent = view.waiting.length;
  const hl = $("held-list");
  hl.innerHTML = "";
  for (const t of view.held) hl.appendChild(ticketItem(t, (x) => act("resume", { number: x.number })));
  const staff = view.window.staff;
  $("staff-name").textContent = staff ? staff.name + "（" + staff.staff_id + "）" : "";
  await loadBookings();
}

async function loadBookings() {
  const r = await api("GET", "/api/v1/bookings");
  const bl = $("bookings-list");
  bl.innerHTML = "";
  for (const b of r.bookings) {
    const li = document.createElement("li");
    li.dataset.code = b.code;
    let text = slotText(b) + " · " + serviceName(b.service) + " · " + b.masked_name + " · " + b.code + " · ";
    if (b.ticket) {
      li.className = "checked-in";
      text += CHECK_IN_TEXT[b.ticket.check_in] + " " + b.ticket.number + " " + STATUS_TEXT[b.ticket.status];
    } else {
      text += "未签到 Not checked in";
    }
    li.textContent = text;
    bl.appendChild(li);
  }
  $("bookings-total").textContent = r.bookings.length;
}

async function refresh() {
  try {
    await loadQueue();
    await loadWindow();
  } catch (e) {
    say(e.message, true);
  }
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, 100);
}

async function act(action, body) {
  try {
    const t = await api("POST", "/api/v1/windows/" + session.window + "/" + action, body);
    if (action === "call-next" && t === null) say("暂无等候 / Nobody is waiting");
    else if (action === "reprint") say("已请求补打 " + t.number + " / Reprint requested");
    else say(t ? t.number + " · " + STATUS_TEXT[t.status] : "");
    await loadWindow();
  } catch (e) {
    say(e.message, true);
  }
}

function openDialog(id) {
  for (const d of document.querySelectorAll(".dialog")) d.hidden = d.id !== id;
}

function startComplete() {
  if (!view || !view.current) return;
  const sel = $("complete-outcome");
  sel.innerHTML = "";
  const entry = view.outcomes.find((o) => o[0] === view.current.service);
  const codes = entry && entry[1].length ? entry[1] : ["answered", "referred", "materials_missing"];
  for (const c of codes) {
    const o = document.createElement("option");
    o.value = c;
    o.textContent = c;
    sel.appendChild(o);
  }
  openDialog("complete-form");
  sel.focus();
}

const ACTIONS = {
  "btn-call-next": () => act("call-next"),
  "btn-recall": () => act("recall"),
  "btn-no-show": () => act("no-show"),
  "btn-start": () => act("start"),
  "btn-complete": startComplete,
  "btn-transfer": () => { if (view && view.current) openDialog("transfer-form"); },
  "btn-hold": () => act("hold"),
  "btn-resume": () => act("resume"),
};

for (const [id, fn] of Object.entries(ACTIONS)) $(id).addEventListener("click", fn);

document.addEventListener("keydown", (ev) => {
  if (!session || ev.ctrlKey || ev.altKey || ev.metaKey) return;
  const tag = (ev.target && ev.target.tagName) || "";
  if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
  const btn = document.querySelector(".actions button[data-key='" + ev.key.toUpperCase() + "']");
  if (btn && !btn.disabled) {
    ev.preventDefault();
    btn.click();
  }
});

for (const b of document.querySelectorAll(".dialog .cancel")) {
  b.addEventListener("click", () => openDialog(null));
}

$("complete-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  openDialog(null);
  act("complete", { outcome: $("complete-outcome").value });
});

$("transfer-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  openDialog(null);
  act("transfer", { service: $("transfer-service").value, position: $("transfer-position").value });
});

$("call-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const n = $("call-number").value.trim().toUpperCase();
  if (n) act("call", { number: n });
});

// One retry key per ticket asked for: a double click or a resend gives the same ticket.
let counterKey = null;

$("counter-form").addEventListener("input", () => { counterKey = null; });

$("counter-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!counterKey) counterKey = "counter-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  const body = { service: $("counter-service").value, priority: $("counter-priority").value };
  if (body.priority === "none") body.priority = false;
  const idNumber = $("counter-id").value.trim();
  if (idNumber) body.id_number = idNumber;
  try {
    const t = await api("POST", "/api/v1/windows/" + session.window + "/issue", body, { "Idempotency-Key": counterKey });
    // The ID number leaves the page as soon as the ticket exists.
    $("counter-id").value = "";
    counterKey = null;
    const out = $("counter-ticket");
    out.hidden = false;
    out.textContent = "";
    const n = document.createElement("span");
    n.className = "number";
    n.id = "counter-number";
    n.textContent = t.number;
    out.appendChild(n);
    out.appendChild(document.createTextNode(serviceName(t.service) + " · 前面 " + t.ahead + " 人 ahead · "
      + t.eta_minutes[0] + "–" + t.eta_minutes[1] + " 分钟 min"));
    say("已取号 " + t.number + " / Ticket issued");
    await loadWindow();
  } catch (e) {
    say(e.message, true);
  }
});

$("reprint-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const n = $("reprint-number").value.trim().toUpperCase();
  if (n) act("reprint", { number: n });
});

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const window = Number($("login-window").value);
    const r = await api("POST", "/api/v1/login", { window, pin: $("login-pin").value });
    session = { token: r.token, window: r.window };
    connectEvents();
    sessionStorage.setItem("staff-session", JSON.stringify(session));
    $("login-pin").value = "";
    if (document.activeElement) document.activeElement.blur();
    showDesk(true);
    say("");
    await refresh();
  } catch (e) {
    say(e.message, true);
  }
});

$("btn-logout").addEventListener("click", async () => {
  try { await api("POST", "/api/v1/logout"); } catch (e) { /* already gone */ }
  logoutLocal();
});

// The event stream is read with fetch() rather than EventSource, which cannot send the session:
// logged in, the page gets the staff stream (every event of the day); logged out, the public one
// (calls and windows only). Each event just schedules a refresh of the views.
let eventsAbort = null;

async function connectEvents() {
  if (eventsAbort) eventsAbort.abort();
  const ctrl = new AbortController();
  eventsAbort = ctrl;
  let lastId = null;
  while (!ctrl.signal.aborted) {
    try {
      const headers = { "Accept": "text/event-stream" };
      if (session) headers["Authorization"] = "Bearer " + session.token;
      if (lastId) headers["Last-Event-ID"] = lastId;
      const resp = await fetch("/api/v1/events", { headers, signal: ctrl.signal, cache: "no-store" });
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      scheduleRefresh();
      const reader = resp.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of block.split("\n")) {
            if (line.startsWith("id:")) lastId = line.slice(3).trim();
          }
          if (/^event:/m.test(block)) scheduleRefresh();
        }
      }
    } catch (e) {
      if (ctrl.signal.aborted) return;
    }
    // Reconnect after a pause; Last-Event-ID replays what was missed.
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

showDesk(!!session);
refresh();
connectEvents();
