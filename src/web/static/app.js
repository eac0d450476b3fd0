// Loa Xã — the little JavaScript the pages need: upload progress, live dashboard updates,
// confirm-once buttons. Every page still works without it (forms post normally).
(function () {
  "use strict";
  const csrf = () => (document.querySelector('meta[name="csrf"]') || {}).content || "";
  const vi = document.documentElement.lang !== "en";
  const say = (v, e) => (vi ? v : e);

  function fmtDuration(ms) {
    const s = Math.round(ms / 1000);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(r).padStart(2, "0");
  }

  // Send a multipart form with XMLHttpRequest to show upload progress.
  function send(url, data, progress, status) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRF-Token", csrf());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (e) => {
        if (!e.lengthComputable) return;
        progress.hidden = false;
        progress.value = Math.round((e.loaded / e.total) * 100);
        status.textContent = say("Đang tải lên… ", "Uploading… ") + progress.value + "%";
        if (e.loaded === e.total) status.textContent = say("Đang kiểm tra và đo âm lượng…", "Checking and measuring…");
      };
      xhr.onload = () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body);
        else reject(new Error((body && body.error && body.error.message) || xhr.statusText || String(xhr.status)));
      };
      xhr.onerror = () => reject(new Error(say("Mất kết nối tới máy chủ.", "Lost the connection to the server.")));
      xhr.send(data);
    });
  }

  async function json(method, url, body) {
    const res = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new Error((data && data.error && data.error.message) || res.statusText);
    return data;
  }

  function describe(m) {
    const l = m.integrated_lufs == null ? "—" : m.integrated_lufs.toFixed(1) + " LUFS";
    return fmtDuration(m.duration_ms) + " · " + l + " · " + m.codec + " " + m.sample_rate + " Hz";
  }

  // Library: upload with a progress bar, then the library again, which says in its own language
  // what it received and anything the listener will hear wrong (cut off, too quiet).
  document.querySelectorAll("form[data-upload]").forEach((form) => {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const progress = form.querySelector("progress"), status = form.querySelector(".upload-status");
      const button = form.querySelector("button");
      status.className = "upload-status"; button.disabled = true;
      try {
        const r = await send("/api/v1/media", new FormData(form), progress, status);
        location.href = "/library?uploaded=" + r.media.id + (r.duplicate ? "&again=true" : "");
      } catch (e) {
        status.className = "upload-status error";
        status.textContent = say("Không nhận được bản ghi: ", "Not accepted: ") + e.message;
        button.disabled = false;
      }
    });
  });

  // New or edited item: upload first (with progress), then save through the API.
  document.querySelectorAll("form[data-item-form]").forEach((form) => {
    form.addEventListener("submit", async (ev) => {
      const file = form.querySelector('input[type="file"]');
      if (!file || !file.files.length) return; // no upload: the normal post is fine
      ev.preventDefault();
      const progress = form.querySelector("progress"), status = form.querySelector(".upload-status");
      const button = form.querySelector("button.primary");
      status.className = "upload-status"; button.disabled = true;
      try {
        const up = new FormData();
        up.append("file", file.files[0]);
        up.append("title", form.elements.title.value);
        up.append("category", form.elements.category.value);
        const r = await send("/api/v1/media", up, progress, status);
        // The item's page, next, says any warning of the recording in the page's language.
        status.className = "upload-status ok";
        status.textContent = say("Đã nhận: ", "Received: ") + r.media.title + " — " + describe(r.media);
        const ticked = (name) => Array.from(form.querySelectorAll('input[name="' + name + '"]:checked')).map((e) => e.value);
        const body = {
          media_id: r.media.id, title: form.elements.title.value || r.media.title,
          category: form.elements.category.value, tier: form.elements.tier.value,
          air_from: form.elements.air_from.value || null, air_until: form.elements.air_until.value || null,
          slots: ticked("slots"), zones: ticked("zones"),
        };
        const editing = form.action.match(/\/items\/(\d+)\/edit/);
        let item = editing ? await json("PUT", "/api/v1/items/" + editing[1], body) : await json("POST", "/api/v1/items", body);
        if (form.elements.submit_now && form.elements.submit_now.checked) item = await json("POST", "/api/v1/items/" + item.id + "/submit");
        location.href = "/items/" + item.id;
      } catch (e) {
        status.className = "upload-status error";
        status.textContent = say("Không lưu được: ", "Could not save: ") + e.message;
        button.disabled = false;
      }
    });
  });

  // Filters that apply as soon as they change.
  document.querySelectorAll("select[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form.submit());
  });

  // Buttons that take over the speakers ask once before acting.
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (ev) => { if (!confirm(el.dataset.confirm)) ev.preventDefault(); });
  });

  // The LED panel as it is now: a fresh frame every second.
  const livePanel = document.querySelector("img[data-live-panel]");
  if (livePanel) {
    const base = livePanel.src.split("#")[0];
    setInterval(() => {
      if (document.hidden) return;
      const next = new Image();
      next.onload = () => { livePanel.src = next.src; };
      next.src = base + "&t=" + Date.now();
    }, 1000);
  }

  // A slogan waiting for approval moves on its card as it will on the panel: the preview is
  // fetched moment by moment through one showing, again and again, while the page is seen.
  document.querySelectorAll("img[data-moving]").forEach((img) => {
    const base = img.dataset.moving, showing = Number(img.dataset.movingMs) || 0;
    if (showing <= 0) return;
    const started = Date.now();
    let waiting = false;
    setInterval(() => {
      if (document.hidden || waiting) return;
      waiting = true;
      const next = new Image();
      next.onload = () => { img.src = next.src; waiting = false; };
      next.onerror = () => { waiting = false; };
      next.src = base + "&ms=" + ((Date.now() - started) % showing);
    }, 250);
  });

  // The slogan form: preview the draft on the real panel as it is typed, animated.
  document.querySelectorAll("form[data-slogan-form]").forEach((form) => {
    const img = form.querySelector("img[data-draft-preview]");
    const status = form.querySelector(".preview-status");
    let started = Date.now(), timer = null, failed = false;
    const url = () => {
      const q = new URLSearchParams({
        text: form.elements.text.value, color: form.elements.color.value,
        effect: form.elements.effect.value, speed_px_s: form.elements.speed_px_s.value || "0",
        ms: String(Date.now() - started), scale: "4",
      });
      return "/api/v1/display/preview.png?" + q.toString();
    };
    const draw = async () => {
      if (!form.elements.text.value.trim()) return;
      try {
        const res = await fetch(url(), { credentials: "same-origin" });
        if (!res.ok) {
          const body = await res.json().catch(() => null);
          status.className = "preview-status error";
          status.textContent = (body && body.error && body.error.message) || res.statusText;
          failed = true;
          return;
        }
        const blob = await res.blob();
        const old = img.src;
        img.src = URL.createObjectURL(blob);
        if (old.startsWith("blob:")) URL.revokeObjectURL(old);
        if (failed) { status.className = "preview-status muted"; status.textContent = ""; failed = false; }
      } catch (_) { /* the next tick tries again */ }
    };
    const restart = () => { started = Date.now(); draw(); };
    form.addEventListener("input", restart);
    timer = setInterval(() => { if (!document.hidden) draw(); }, 200);
    restart();
    window.addEventListener("beforeunload", () => clearInterval(timer));
  });

  // "Nghe / Listen": a live stream must not resume from where it was paused, and a paused
  // player must not hold one of the station's few listener seats: pausing drops the
  // connection, playing again starts from now.
  document.querySelectorAll("audio[data-listen]").forEach(a => {
    const src = a.getAttribute("src");
    a.addEventListener("pause", () => { a.removeAttribute("src"); a.load(); a.setAttribute("src", src); });
  });

  // Live pages: redraw from /api/v1/status when the server says something changed.
  const live = document.querySelector("[data-live]");
  if (live && window.EventSource) {
    const dot = document.querySelector(".live-dot");
    const refresh = async () => {
      try {
        const s = await json("GET", "/api/v1/status");
        const label = document.getElementById("onair-label"), since = document.getElementById("onair-since");
        const now = s.player.now_playing;
        const ok = !!s.player.format && !s.player.listen_alone;
        if (label) {
          label.textContent = now ? now.label : ok ? say("Không có gì đang phát.", "Nothing is on air.")
            : say("Loa không có tiếng — xem Tình trạng bên dưới.", "The speakers are silent — see Health below.");
          label.classList.toggle("muted", !now && ok);
          label.classList.toggle("silent", !now && !ok);
        }
        if (since) since.textContent = now && now.since ? new Date(now.since).toLocaleTimeString() : "";
        const u = document.getElementById("underruns"); if (u) u.textContent = s.player.underruns;
        const od = document.getElementById("output-detail"), os = document.getElementById("output-status");
        if (od && os) {
          os.className = ok ? "ok" : "bad";
          od.textContent = ok ? s.player.output + " · " + s.player.format.sample_rate + " Hz" : (s.player.listen_alone || s.player.output_error || s.player.output);
        }
        if (window.loaxaRefresh) window.loaxaRefresh(s);
      } catch (_) { /* the next event tries again */ }
    };
    // The emergency banner, drawn by the server in the page's language, again when the
    // emergency changes (started, ended, or a warning about it: its text not read aloud).
    const banner = async () => {
      const b = document.getElementById("banner");
      try {
        const r = await fetch("/banner", { credentials: "same-origin" });
        if (b && r.ok) b.innerHTML = await r.text();
      } catch (_) { /* the next event tries again */ }
    };
    const es = new EventSource(live.dataset.live);
    es.onopen = () => dot && dot.classList.add("on");
    es.onerror = () => dot && dot.classList.remove("on");
    es.onmessage = (m) => {
      refresh();
      try { if (JSON.parse(m.data).kind === "emergency") banner(); } catch (_) { /* not ours */ }
    };
    setInterval(() => { refresh(); banner(); }, 30000);
  }
})();
