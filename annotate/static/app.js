// The rating page: fetch the current screen, collect two scores (+ optional "closer"),
// post one answer, show the next screen. No build step, no external resources.
"use strict";

(function () {
  const cfg = JSON.parse(document.getElementById("page-config").textContent);
  const api = "/r/" + encodeURIComponent(cfg.token) + "/api/";
  const scale = cfg.scale;
  const values = [];
  for (let k = 0; k < scale.levels; k++) {
    values.push(Number((scale.min + k * scale.step).toFixed(6)));
  }
  const useButtons = scale.levels <= 21;
  const $ = (id) => document.getElementById(id);

  let state = null;
  let scores = { left: null, right: null };
  let closer = null;
  let active = "left";
  let shownAt = 0;
  let sending = false;

  function fmt(v) {
    return String(Number(v.toFixed(4)));
  }

  function buildScale(side) {
    const box = $("scale-" + side);
    box.textContent = "";
    if (useButtons) {
      values.forEach((v, k) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "level";
        b.textContent = fmt(v);
        b.id = "score-" + side + "-" + k;
        b.dataset.value = String(v);
        b.setAttribute("role", "radio");
        b.addEventListener("click", () => setScore(side, v));
        box.appendChild(b);
      });
    } else {
      const r = document.createElement("input");
      r.type = "range";
      r.min = String(scale.min);
      r.max = String(scale.max);
      r.step = String(scale.step);
      r.id = "score-" + side;
      const out = document.createElement("output");
      out.id = "value-" + side;
      out.textContent = "-";
      // "click" too: an unset slider sits in the middle, and clicking there fires no "input"
      for (const ev of ["input", "click"]) r.addEventListener(ev, () => setScore(side, Number(r.value)));
      box.appendChild(r);
      box.appendChild(out);
    }
  }

  function render() {
    for (const side of ["left", "right"]) {
      const v = scores[side];
      $("cand-" + side).classList.toggle("active", side === active);
      if (useButtons) {
        for (const b of $("scale-" + side).querySelectorAll("button")) {
          const on = v !== null && Number(b.dataset.value) === v;
          b.classList.toggle("selected", on);
          b.setAttribute("aria-checked", on ? "true" : "false");
        }
      } else {
        const r = $("score-" + side);
        r.value = String(v === null ? values[Math.floor(values.length / 2)] : v);
        $("value-" + side).textContent = v === null ? "-" : fmt(v);
        r.classList.toggle("unset", v === null);
      }
    }
    for (const side of ["left", "right"]) {
      const b = $("closer-" + side);
      if (b) b.classList.toggle("selected", closer === side);
    }
    $("next").disabled = sending || scores.left === null || scores.right === null;
  }

  function setScore(side, v) {
    scores[side] = v;
    active = side;
    render();
  }

  function step(side, delta) {
    const cur = scores[side];
    let k = cur === null ? Math.floor(values.length / 2) : values.indexOf(cur) + delta;
    k = Math.max(0, Math.min(values.length - 1, k));
    setScore(side, values[k]);
  }

  function show(section) {
    for (const id of ["instructions", "rating", "done"]) $(id).hidden = id !== section;
  }

  function showState(s) {
    state = s;
    $("progress").textContent = Math.min(s.answered + (s.done ? 0 : 1), s.total) + " / " + s.total;
    if (s.done) {
      show("done");
      return;
    }
    scores = { left: null, right: null };
    closer = null;
    active = "left";
    for (const slot of ["ref", "left", "right"]) $("img-" + slot).src = s.images[slot];
    shownAt = Date.now();
    render();
    $("status").textContent = "";
    if ($("instructions").hidden || s.answered > 0) show("rating");
  }

  async function call(path, body) {
    const opts = body === undefined ? {} : {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    };
    const resp = await fetch(api + path, opts);
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error(data.error || "the server answered " + resp.status);
    return data;
  }

  async function next() {
    if (sending || !state || state.done || scores.left === null || scores.right === null) return;
    sending = true;
    render();
    $("status").textContent = "saving...";
    try {
      const s = await call("answer", {
        position: state.position,
        left: scores.left,
        right: scores.right,
        closer: closer,
        elapsed_ms: Date.now() - shownAt,
      });
      sending = false;
      showState(s);
    } catch (err) {
      sending = false;
      render();
      $("status").textContent = "not saved: " + err.message + " (try again)";
    }
  }

  function onKey(ev) {
    if ($("rating").hidden || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const k = ev.key;
    if (k === "ArrowLeft" || k === "ArrowRight") {
      active = k === "ArrowLeft" ? "left" : "right";
      render();
    } else if (k === "ArrowUp" || k === "+") {
      step(active, 1);
    } else if (k === "ArrowDown" || k === "-") {
      step(active, -1);
    } else if (k === "Home") {
      setScore(active, values[0]);
    } else if (k === "End") {
      setScore(active, values[values.length - 1]);
    } else if (/^[0-9]$/.test(k) && values.includes(Number(k))) {
      setScore(active, Number(k));
      if (active === "left" && scores.right === null) {
        active = "right";
        render();
      }
    } else if ((k === "l" || k === "r") && cfg.ask_closer) {
      closer = k === "l" ? "left" : "right";
      render();
    } else if (k === "Enter") {
      next();
    } else {
      return;
    }
    ev.preventDefault();
  }

  buildScale("left");
  buildScale("right");
  for (const side of ["left", "right"]) {
    const b = $("closer-" + side);
    if (b) b.addEventListener("click", () => {
      closer = closer === side ? null : side;
      render();
    });
  }
  $("next").addEventListener("click", next);
  $("start").addEventListener("click", () => show("rating"));
  $("show-help").addEventListener("click", () => show("instructions"));
  document.addEventListener("keydown", onKey);

  call("state").then((s) => {
    showState(s);
    show(s.done ? "done" : s.answered === 0 ? "instructions" : "rating");
  }).catch((err) => {
    $("progress").textContent = "cannot reach the server: " + err.message;
  });
})();
