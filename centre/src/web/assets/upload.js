// The phone upload page (/upload/{token}): each photo chosen for a paper is sent as it is (its raw
// bytes) to /upload/{token}/{paper}, one after the other; the line under the paper shows the count
// the centre answers ("已上传 N 张 / N uploaded") or its reason. No framework and no inline script:
// the page's Content-Security-Policy allows this file only.
"use strict";
(() => {
  const MAX_BYTES = 12 * 1024 * 1024;
  const TOO_LARGE = "照片太大（超过 12 MB），请用手机相机的普通模式重新拍照 / The photo is larger than 12 MB; please take it again in the camera's normal mode";
  const NETWORK = "网络中断，请检查网络后重试 / The connection failed; check the network and try again";
  const CHOOSE = "请先拍照或选择照片 / Take or choose a photo first";
  const main = document.getElementById("upload");
  if (!main || !main.dataset.token) return;
  const token = main.dataset.token;
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // Sends one photo: the paper's count so far, or throws the reason to show.
  async function send(paper, file) {
    if (file.size > MAX_BYTES) throw new Error(TOO_LARGE);
    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await fetch(`/upload/${token}/${encodeURIComponent(paper)}`, {
          method: "POST",
          body: file,
          headers: { "Content-Type": file.type || "application/octet-stream" },
          credentials: "omit",
          cache: "no-store",
        });
      } catch (_) {
        throw new Error(NETWORK);
      }
      // Too fast, or the centre busy: wait as told and try again, a few times.
      if ((response.status === 429 || response.status === 503) && attempt < 4) {
        const secs = Number(response.headers.get("Retry-After")) || 1;
        await wait(Math.min(secs, 30) * 1000);
        continue;
      }
      let answer = {};
      try {
        answer = await response.json();
      } catch (_) {
        // Not JSON: the status says enough.
      }
      if (!response.ok) throw new Error(answer.error || `${response.status} ${response.statusText}`);
      return answer.count;
    }
  }

  for (const section of document.querySelectorAll("section[data-paper]")) {
    const paper = section.dataset.paper;
    const input = document.getElementById(`file-${paper}`);
    const button = document.getElementById(`send-${paper}`);
    const count = document.getElementById(`count-${paper}`);
    const error = document.getElementById(`error-${paper}`);
    const showError = (text) => {
      error.textContent = text;
      error.hidden = !text;
    };
    button.addEventListener("click", async () => {
      const files = Array.from(input.files || []);
      if (files.length === 0) {
        showError(CHOOSE);
        return;
      }
      showError("");
      button.disabled = true;
      input.disabled = true;
      let sent = 0;
      try {
        for (const [i, file] of files.entries()) {
          button.textContent = `正在上传 ${i + 1}/${files.length}… Uploading…`;
          const n = await send(paper, file);
          sent += 1;
          count.textContent = `已上传 ${n} 张 / ${n} uploaded`;
        }
      } catch (err) {
        showError(err.message || String(err));
      } finally {
        // Photos already sent are not sent twice: after a failure the rest are chosen again.
        if (sent > 0) input.value = "";
        button.textContent = "上传 Upload";
        button.disabled = false;
        input.disabled = false;
      }
    });
  }
})();
