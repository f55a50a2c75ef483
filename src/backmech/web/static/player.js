// The session player: one exercise at a time, with a hold timer, a rep counter and a breathing guide.
// Without this file the page is a plain list of steps ending with the log form, and works the same.
"use strict";
(() => {
  const player = document.getElementById("player");
  if (!player) return;
  const steps = Array.from(player.querySelectorAll("[data-step]"));
  const start = document.getElementById("player-start");
  const nav = document.getElementById("player-nav");
  const prev = document.getElementById("player-prev");
  const next = document.getElementById("player-next");
  const progress = document.getElementById("player-progress");
  const status = document.getElementById("player-status");
  const exercises = steps.length - 1; // the last step is the log form
  const stoppers = [];
  let current = -1;

  for (const el of player.querySelectorAll(".tool, .player-js-only")) el.hidden = false;

  function stopAll() {
    for (const stop of stoppers) stop();
  }

  function show(index, focus) {
    stopAll();
    current = Math.max(0, Math.min(index, steps.length - 1));
    steps.forEach((step, i) => { step.hidden = i !== current; });
    const onLog = current === steps.length - 1;
    progress.textContent = onLog ? "Last step: your log" : `Exercise ${current + 1} of ${exercises}`;
    prev.disabled = current === 0;
    next.hidden = onLog;
    next.textContent = current === exercises - 1 ? "Finish" : "Next";
    const heading = steps[current].querySelector("h2");
    status.textContent = heading ? heading.textContent.replace(/\s+/g, " ").trim() : "";
    if (history.replaceState) history.replaceState(null, "", `#${steps[current].id}`);
    if (focus && heading) {
      heading.focus();
      steps[current].scrollIntoView({ block: "start" });
    }
  }

  function begin(index) {
    player.classList.add("playing");
    nav.hidden = false;
    status.hidden = false;
    start.closest(".player-js-only").hidden = true;
    show(index, true);
  }

  start.addEventListener("click", () => begin(0));
  prev.addEventListener("click", () => show(current - 1, true));
  next.addEventListener("click", () => show(current + 1, true));

  // Hold timer: counts down from data-seconds; announces start, pause, the last 5 seconds and the end.
  for (const el of player.querySelectorAll(".hold-timer")) {
    const total = Number(el.dataset.seconds);
    const value = el.querySelector(".timer-value");
    const toggle = el.querySelector(".timer-toggle");
    const reset = el.querySelector(".timer-reset");
    const announce = el.querySelector(".timer-announce");
    const startLabel = toggle.textContent;
    let left = total;
    let endAt = 0;
    let handle = null;
    let warned = false;
    const say = (text) => { announce.textContent = text; };
    const render = () => { value.textContent = String(left); };
    const pause = () => {
      if (handle === null) return;
      clearInterval(handle);
      handle = null;
      toggle.textContent = left > 0 && left < total ? "Resume" : startLabel;
    };
    const tick = () => {
      left = Math.max(0, Math.ceil((endAt - Date.now()) / 1000));
      render();
      if (left === 5 && total > 10 && !warned) { warned = true; say("5 seconds left"); }
      if (left <= 0) {
        pause();
        el.classList.add("done");
        say("Time. Relax.");
      }
    };
    toggle.addEventListener("click", () => {
      if (handle !== null) { pause(); say("Paused"); return; }
      if (left <= 0) { left = total; warned = false; }
      el.classList.remove("done");
      endAt = Date.now() + left * 1000;
      handle = setInterval(tick, 250);
      toggle.textContent = "Pause";
      say(`Started: ${left} seconds`);
    });
    reset.addEventListener("click", () => {
      pause();
      left = total;
      warned = false;
      el.classList.remove("done");
      toggle.textContent = startLabel;
      render();
      say("Reset");
    });
    stoppers.push(pause);
  }

  // Rep counter: tap per rep; moves to the next set when a set's reps are done.
  for (const el of player.querySelectorAll(".rep-counter")) {
    const pyramid = (el.dataset.pyramid || "").split(",").map(Number).filter((n) => n > 0);
    const sets = Number(el.dataset.sets) || 0;
    const targetEl = el.querySelector(".rep-target");
    const targetFor = (set) => pyramid[set - 1] || Number(el.dataset.reps) || 0;
    const rest = Number(el.dataset.rest) || 0;
    const count = el.querySelector(".rep-count");
    const setCount = el.querySelector(".set-count");
    let reps = 0;
    let set = 1;
    const render = () => {
      count.textContent = String(reps);
      if (setCount) setCount.textContent = String(set);
      if (targetEl) targetEl.textContent = String(targetFor(set));
    };
    el.querySelector(".rep-tap").addEventListener("click", () => {
      reps += 1;
      render();
      const target = targetFor(set);
      if (target && reps === target) {
        if (sets && set < sets) {
          const restText = rest ? ` Rest about ${rest} seconds, then carry on.` : "";
          status.textContent = `Set ${set} done.${restText}`;
          set += 1;
          reps = 0;
          render();
        } else {
          status.textContent = "All done for this exercise. Well done.";
        }
      }
    });
    el.querySelector(".rep-reset").addEventListener("click", () => {
      reps = 0;
      set = 1;
      render();
    });
  }

  // Breathing guide: follows the person's own pace (hold to breathe in, let go to breathe out).
  for (const el of player.querySelectorAll(".pacer")) {
    const circle = el.querySelector(".pacer-circle");
    const button = el.querySelector(".pacer-button");
    const phase = el.querySelector(".pacer-phase");
    const counter = el.querySelector(".pacer-count");
    let breaths = 0;
    let inhaling = false;
    const breatheIn = () => {
      if (inhaling) return;
      inhaling = true;
      circle.classList.add("inhale");
      button.classList.add("pressed");
      phase.textContent = "Breathing in";
    };
    const breatheOut = () => {
      if (!inhaling) return;
      inhaling = false;
      breaths += 1;
      counter.textContent = String(breaths);
      circle.classList.remove("inhale");
      button.classList.remove("pressed");
      phase.textContent = "Breathing out, slowly";
    };
    button.addEventListener("pointerdown", (event) => { event.preventDefault(); breatheIn(); });
    for (const type of ["pointerup", "pointercancel", "pointerleave"]) button.addEventListener(type, breatheOut);
    button.addEventListener("keydown", (event) => {
      if ((event.key === " " || event.key === "Enter") && !event.repeat) { event.preventDefault(); breatheIn(); }
    });
    button.addEventListener("keyup", (event) => {
      if (event.key === " " || event.key === "Enter") { event.preventDefault(); breatheOut(); }
    });
    stoppers.push(breatheOut);
  }

  // A deep link (/me/session/full#step-bird-dog) opens the player at that exercise.
  const linked = steps.findIndex((step) => `#${step.id}` === window.location.hash);
  if (linked >= 0) begin(linked);
})();
