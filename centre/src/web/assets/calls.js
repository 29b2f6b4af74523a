// The lawyer's call console (/staff/calls): availability, the calls offered, the call itself
// (WebRTC in this browser, signalling over /staff/calls/ws), the advice summary after the call.
// No framework and no inline script: the page's Content-Security-Policy allows this file only.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const REASONS = { duty: "值班 Duty", adviser: "本村顾问 Village adviser", any: "任一律师 Any lawyer" };
  const state = {
    ws: null, pc: null, call: null, ended: null, local: null, chain: Promise.resolve(),
    stats: { framesDecoded: 0, packetsReceived: 0, framesEncoded: 0, connected: false },
    kioskVideo: true,
  };
  window.callConsole = state;

  const status = (text) => { $("status").textContent = text; };
  const send = (message) => {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
  };
  const queue = (step) => { state.chain = state.chain.then(step).catch((err) => status("出错 Error: " + err)); };

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(scheme + location.host + "/staff/calls/ws");
    state.ws = ws;
    ws.onopen = () => {
      status("已连接，等待来电 Connected, waiting for calls");
      send({ type: "available", on: $("available").checked });
    };
    ws.onmessage = (event) => handle(JSON.parse(event.data));
    ws.onclose = () => {
      status("与中心的连接断开，正在重连… Connection to the centre lost, reconnecting…");
      stopCall();
      setTimeout(connect, 2000);
    };
  }

  function handle(m) {
    switch (m.type) {
      case "board": return board(m);
      case "connected": return startCall(m);
      case "offer": return queue(() => answer(m.sdp));
      case "ice": return queue(() => state.pc && state.pc.addIceCandidate(
        m.candidate ? { candidate: m.candidate, sdpMLineIndex: m.mline } : null));
      case "media":
        state.kioskVideo = m.video;
        $("weak").hidden = m.video;
        return;
      case "ended": return ended(m);
      case "advice_saved":
        $("advice-status").textContent = (m.delivered
          ? "已发送到终端 Sent to the kiosk"
          : "已保存（群众已离开终端）Saved (the citizen has left the kiosk)") + (m.url ? " · " + m.url : "");
        $("advice-link").href = m.url || "#";
        return;
      case "refused": return status("被拒绝 Refused: " + m.reason);
    }
  }

  function board(m) {
    $("online").textContent = String(m.lawyers_online);
    $("available").checked = m.available;
    const body = $("calls");
    body.replaceChildren();
    for (const c of m.calls) {
      const row = document.createElement("tr");
      for (const text of [c.site, c.topic, c.caller || "—", c.waited_secs + " 秒 s", REASONS[c.reason] || c.reason]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      const cell = document.createElement("td");
      const button = document.createElement("button");
      button.className = "accept";
      button.dataset.call = c.call;
      button.textContent = "接听 Accept";
      button.disabled = Boolean(m.in_call);
      button.addEventListener("click", () => send({ type: "accept", call: c.call }));
      cell.append(button);
      row.append(cell);
      body.append(row);
    }
    $("no-calls").hidden = m.calls.length > 0;
  }

  function iceServers(servers) {
    const list = [];
    if (servers.stun) list.push({ urls: "stun:" + servers.stun });
    for (const t of servers.turn || []) {
      list.push({ urls: (t.tls ? "turns:" : "turn:") + t.host, username: t.username, credential: t.credential });
    }
    return list;
  }

  function startCall(m) {
    state.call = m.call;
    state.ended = null;
    state.kioskVideo = true;
    $("weak").hidden = true;
    $("who").textContent = m.site + " · " + m.topic + (m.caller ? " · " + m.caller : "");
    $("incall").hidden = false;
    $("advice-form").hidden = true;
    status("通话中 In a call");
    const pc = new RTCPeerConnection({ iceServers: iceServers(m.ice_servers) });
    state.pc = pc;
    const remote = new MediaStream();
    $("remote").srcObject = remote;
    pc.ontrack = (event) => remote.addTrack(event.track);
    pc.onicecandidate = (event) => {
      if (event.candidate) send({ type: "ice", candidate: event.candidate.candidate, mline: event.candidate.sdpMLineIndex || 0 });
    };
    pc.onconnectionstatechange = () => {
      state.stats.connected = pc.connectionState === "connected";
      if (pc.connectionState === "failed") status("网络不通，请挂断重试 No network path: hang up and try again");
    };
    queue(async () => {
      state.local = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
      $("local").srcObject = state.local;
    });
  }

  async function answer(sdp) {
    const pc = state.pc;
    if (!pc) return;
    await pc.setRemoteDescription({ type: "offer", sdp });
    if (state.local) for (const track of state.local.getTracks()) pc.addTrack(track, state.local);
    const description = await pc.createAnswer();
    await pc.setLocalDescription(description);
    send({ type: "answer", sdp: description.sdp });
  }

  function stopCall() {
    if (state.pc) state.pc.close();
    state.pc = null;
    if (state.local) for (const track of state.local.getTracks()) track.stop();
    state.local = null;
    $("remote").srcObject = null;
    $("local").srcObject = null;
    $("incall").hidden = true;
    state.chain = Promise.resolve();
  }

  function ended(m) {
    const by = { citizen: "群众已挂断 The citizen hung up", lawyer: "您已挂断 You hung up", centre: "连接中断 The connection was lost" };
    status((by[m.by] || "通话结束 Call ended") + "，请填写建议摘要 · please write the advice summary");
    state.ended = m.call;
    state.call = null;
    stopCall();
    $("advice-form").hidden = false;
    $("advice-call").textContent = m.call;
    $("advice-status").textContent = "";
  }

  async function sampleStats() {
    const pc = state.pc;
    if (!pc) return;
    let framesDecoded = 0, packetsReceived = 0, framesEncoded = 0;
    (await pc.getStats()).forEach((s) => {
      if (s.type === "inbound-rtp") {
        packetsReceived += s.packetsReceived || 0;
        if (s.kind === "video") framesDecoded += s.framesDecoded || 0;
      }
      if (s.type === "outbound-rtp" && s.kind === "video") framesEncoded += s.framesEncoded || 0;
    });
    Object.assign(state.stats, { framesDecoded, packetsReceived, framesEncoded });
    send({ type: "stats", frames_decoded: framesDecoded, packets_received: packetsReceived });
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("available").addEventListener("change", () => send({ type: "available", on: $("available").checked }));
    $("hangup").addEventListener("click", () => send({ type: "hangup" }));
    $("save-advice").addEventListener("click", () => {
      const text = $("advice").value.trim();
      if (!state.ended || !text) return;
      send({ type: "advice", call: state.ended, text });
    });
    setInterval(() => { sampleStats().catch(() => {}); }, 1000);
    connect();
  });
})();
