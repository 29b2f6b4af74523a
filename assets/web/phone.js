// Phone status page behind a ticket's QR code: number, position, wait range, called window.
"use strict";

const $ = (id) => document.getElementById(id);
const cap = location.pathname.split("/").pop();
const EVENT_TYPES = ["day_reset", "issued", "called", "recalled", "no_show", "started", "completed",
  "transferred", "held", "resumed", "cancelled", "window_opened", "window_closed"];
let timer = null;

function text(status, s) {
  switch (status) {
    case "waiting": return s.ahead === 0 ? "马上轮到您 · You are next" : "等候中 · Waiting";
    case "called": return "请到 " + (s.window_name || s.window + " 号窗口") + " · Please go to window " + s.window;
    case "serving": return "正在办理 · Being served";
    case "held": return "已暂停，请留意窗口 · On hold, watch the window";
    case "done": return "已办结，感谢您的耐心 · Done, thank you";
    case "no_show": return "已过号，请联系窗口 · Missed, please ask at a window";
    case "transferred": return "已转其他业务 · Transferred";
    default: return "已取消 · Cancelled";
  }
}

async function load() {
  try {
    const resp = await fetch("/api/v1/t/" + encodeURIComponent(cap), { cache: "no-store" });
    const s = await resp.json();
    if (!resp.ok) {
      $("state").textContent = s.error || "未找到此号 · Ticket not found";
      return;
    }
    $("number").textContent = s.number;
    $("service").textContent = s.service_name + " · " + s.service_name_en;
    const st = $("state");
    st.textContent = text(s.status, s);
    st.className = "state " + s.status;
    const waiting = s.status === "waiting";
    $("ahead").textContent = waiting ? s.ahead : "–";
    $("eta").textContent = waiting ? s.eta_minutes[0] + "–" + s.eta_minutes[1] : "–";
    $("cancel").hidden = !waiting;
    // The rating, once the ticket is completed (one per ticket: the pad at the window may have
    // taken it already).
    if (!choosing) $("rating").hidden = !s.can_rate;
    $("rated").hidden = !s.rated;
  } catch (e) {
    $("state").textContent = "网络中断，正在重试 · Offline, retrying";
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(load, 200);
}

$("cancel").addEventListener("click", async () => {
  if (!confirm("确定取消此号吗？ Cancel this ticket?")) return;
  await fetch("/api/v1/t/" + encodeURIComponent(cap) + "/cancel", { method: "POST" });
  load();
});

// Rating: a high score is sent at once; a low one (1-2) first offers optional reasons.
let choosing = false;
let score = 0;
async function sendRating(reasons) {
  const resp = await fetch("/api/v1/t/" + encodeURIComponent(cap) + "/rating", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ score: score, reasons: reasons }),
  });
  choosing = false;
  $("reasons").hidden = true;
  if (!resp.ok && resp.status !== 409) {
    const e = await resp.json().catch(() => ({}));
    alert(e.error || "评价未能提交，请重试 · Rating not sent, please retry");
  }
  load();
}
for (const b of document.querySelectorAll(".face")) {
  b.addEventListener("click", () => {
    score = Number(b.dataset.score);
    if (score <= 2) {
      choosing = true;
      $("reasons").hidden = false;
    } else {
      sendRating([]);
    }
  });
}
$("send-rating").addEventListener("click", () => {
  const reasons = [...document.querySelectorAll("#reasons input:checked")].map((i) => i.value);
  sendRating(reasons);
});

const es = new EventSource("/api/v1/events");
for (const t of EVENT_TYPES) es.addEventListener(t, schedule);
es.addEventListener("open", schedule);
// The public stream carries calls only: other people's cancellations move this ticket up too.
setInterval(load, 30000);
load();
