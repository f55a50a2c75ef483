// Movement videos: record in the browser, send with a progress bar, follow the analysis.
// Every page works without this file: the upload form posts normally and the analysis
// page has a "Check again" link. This file only adds to pages that have its elements.
"use strict";

(() => {
  const RECORD_LIMIT_S = 90;
  const POLL_MS = 2000;
  const TYPES = ["video/mp4;codecs=avc1", "video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm", "video/mp4"];

  const $ = (id) => document.getElementById(id);
  const show = (el, on) => { if (el) el.hidden = !on; };
  const csrfToken = () => {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  };

  // ---------------------------------------------------------------- sending a video
  // XMLHttpRequest rather than fetch(): fetch cannot report upload progress.
  // The video is the request body itself, so the server writes it to disk as it arrives.
  function send(url, uploadId, blob, fileName, ui) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRF-Token", csrfToken());
      xhr.setRequestHeader("X-Upload-Id", uploadId);
      xhr.setRequestHeader("X-Filename", fileName);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("Content-Type", blob.type || "application/octet-stream");
      show(ui.box, true);
      ui.bar.value = 0;
      ui.status.textContent = "Sending your video…";
      xhr.upload.addEventListener("progress", (event) => {
        if (!event.lengthComputable) return;
        const percent = Math.round((100 * event.loaded) / event.total);
        ui.bar.value = percent;
        ui.status.textContent = `Sending your video: ${percent}%`;
      });
      xhr.addEventListener("load", () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (_) { body = {}; }
        if (xhr.status === 201 && body.url) {
          ui.bar.value = 100;
          ui.status.textContent = "Sent. Opening the analysis…";
          window.location.assign(body.url);
          resolve(true);
          return;
        }
        if (xhr.status === 413) {
          ui.status.textContent = "That video is too large. Record a shorter clip (10 to 30 seconds is enough) and try again.";
        } else if (body.message) {
          ui.status.textContent = `${body.message} ${body.hint || ""}`.trim();
        } else {
          ui.status.textContent = "The video could not be sent. Check your connection and try again.";
        }
        resolve(false);
      });
      xhr.addEventListener("error", () => {
        ui.status.textContent = "The video could not be sent. Check your connection and try again.";
        resolve(false);
      });
      xhr.send(blob);
    });
  }

  function uploadUi() {
    return { box: $("upload-progress"), bar: $("upload-bar"), status: $("upload-status") };
  }

  // ---------------------------------------------------------------- the file form
  function enhanceForm() {
    const form = $("upload-form");
    const input = $("video-file");
    if (!form || !input || !window.XMLHttpRequest) return;
    form.addEventListener("submit", async (event) => {
      const file = input.files && input.files[0];
      if (!file) return; // the browser's own "required" message
      event.preventDefault();
      const button = $("upload-submit");
      const ok = await send(form.action, form.elements.upload_id.value, file, file.name, uploadUi());
      if (!ok && button) setTimeout(() => { button.disabled = false; }, 0);
    });
  }

  // ---------------------------------------------------------------- the recorder
  function enhanceRecorder() {
    const box = $("recorder");
    if (!box || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) return;
    const preview = $("recorder-preview");
    const countdown = $("recorder-countdown");
    const message = $("recorder-message");
    const buttons = {
      start: $("recorder-start"), record: $("recorder-record"), stop: $("recorder-stop"),
      retake: $("recorder-retake"), send: $("recorder-send"),
    };
    let stream = null;
    let recorder = null;
    let chunks = [];
    let recording = null;
    let limitTimer = null;
    let clockTimer = null;
    const mimeType = TYPES.find((t) => MediaRecorder.isTypeSupported(t)) || "";

    const only = (...names) => {
      for (const [name, el] of Object.entries(buttons)) show(el, names.includes(name));
    };
    const say = (text) => { message.textContent = text; };

    function live() {
      if (recording) URL.revokeObjectURL(preview.src);
      recording = null;
      preview.removeAttribute("src");
      preview.controls = false;
      preview.muted = true;
      preview.srcObject = stream;
      preview.play().catch(() => {});
    }

    buttons.start.addEventListener("click", async () => {
      say("Asking for the camera…");
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
          audio: false,
        });
      } catch (error) {
        say("The camera could not be used. Allow camera access for this site, or send a video file below.");
        return;
      }
      show($("recorder-stage"), true);
      live();
      only("record");
      say("Set the phone up as described above, check you are fully in the picture, then start recording.");
    });

    buttons.record.addEventListener("click", () => {
      only();
      let left = 3;
      show(countdown, true);
      countdown.textContent = String(left);
      const tick = setInterval(() => {
        left -= 1;
        if (left > 0) { countdown.textContent = String(left); return; }
        clearInterval(tick);
        show(countdown, false);
        begin();
      }, 1000);
    });

    function begin() {
      chunks = [];
      try {
        recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
      } catch (error) {
        say("This browser cannot record video. Send a video file below instead.");
        only("record");
        return;
      }
      recorder.addEventListener("dataavailable", (event) => { if (event.data.size) chunks.push(event.data); });
      recorder.addEventListener("stop", review);
      recorder.start(1000);
      only("stop");
      const started = Date.now();
      const elapsed = () => {
        const s = Math.floor((Date.now() - started) / 1000);
        say(`Recording ${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}. Do the movement now, then press Stop recording.`);
      };
      elapsed();
      clockTimer = setInterval(elapsed, 1000);
      limitTimer = setTimeout(() => { if (recorder.state === "recording") recorder.stop(); }, RECORD_LIMIT_S * 1000);
    }

    buttons.stop.addEventListener("click", () => { if (recorder && recorder.state === "recording") recorder.stop(); });

    function review() {
      clearTimeout(limitTimer);
      clearInterval(clockTimer);
      const type = (recorder.mimeType || mimeType || "video/webm").split(";")[0];
      recording = new Blob(chunks, { type });
      preview.srcObject = null;
      preview.src = URL.createObjectURL(recording);
      preview.controls = true;
      preview.muted = true;
      only("retake", "send");
      say("Watch it back. If you are in the picture the whole time, send it; if not, record it again.");
    }

    buttons.retake.addEventListener("click", () => { live(); only("record"); say(""); });

    buttons.send.addEventListener("click", async () => {
      if (!recording) return;
      only();
      const ext = recording.type.includes("mp4") ? "mp4" : "webm";
      const ok = await send(box.dataset.uploadUrl, box.dataset.uploadId, recording, `recording.${ext}`, uploadUi());
      if (ok && stream) for (const track of stream.getTracks()) track.stop();
      if (!ok) only("retake", "send");
    });

    show(box, true);
    only("start");
  }

  // ---------------------------------------------------------------- analysis progress
  function followAnalysis() {
    const box = $("analysis-progress");
    if (!box || !window.fetch) return;
    const url = box.dataset.statusUrl;
    const words = $("analysis-words");
    const bar = $("analysis-bar");
    const percent = $("analysis-percent");
    async function poll() {
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (response.ok) {
          const status = await response.json();
          if (status.finished) { window.location.reload(); return; }
          words.textContent = status.words;
          if (typeof status.percent === "number") {
            bar.value = status.percent;
            percent.textContent = `${status.percent}% done`;
          }
        }
      } catch (_) { /* offline for a moment: try again at the next tick */ }
      setTimeout(poll, POLL_MS);
    }
    setTimeout(poll, POLL_MS);
  }

  // ---------------------------------------------------------------- overlay video
  function overlayFallback() {
    const video = $("overlay-video");
    if (!video) return;
    const fallback = () => show($("overlay-fallback"), true);
    if (video.canPlayType && video.canPlayType('video/mp4; codecs="avc1.42E01E"') === "") fallback();
    video.addEventListener("error", fallback);
  }

  document.addEventListener("DOMContentLoaded", () => {
    enhanceForm();
    enhanceRecorder();
    followAnalysis();
    overlayFallback();
  });
})();
