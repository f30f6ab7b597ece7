// The studio's only script: play segments in the shared player, follow a job's progress (server-sent events),
// and send actions with the page's CSRF token. Every control also works from the keyboard.
"use strict";

const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

function setupPlayer() {
  const player = document.getElementById("player");
  if (!player) return;
  const label = document.getElementById("now-playing");
  document.querySelectorAll("button.play").forEach((button) => {
    button.addEventListener("click", () => {
      player.src = button.dataset.src;
      label.textContent = button.getAttribute("aria-label").replace(/^Play /, "");
      player.play();
    });
  });
}

function followProgress() {
  const root = document.querySelector("[data-job]");
  if (!root || !window.EventSource) return;
  const source = new EventSource(`/job/${root.dataset.job}/events`);
  source.onmessage = (event) => {
    const status = JSON.parse(event.data);
    const all = document.getElementById("progress-all");
    if (all) { all.max = status.total || 1; all.value = status.done; }
    const count = document.getElementById("count-all");
    if (count) count.textContent = `${status.done}/${status.total}`;
    for (const chapter of status.chapters) {
      const bar = document.getElementById(`progress-${chapter.index}`);
      if (bar) { bar.max = chapter.total || 1; bar.value = chapter.done; }
      const text = document.getElementById(`count-${chapter.index}`);
      if (text) text.textContent = `${chapter.done}/${chapter.total}`;
    }
    const state = document.getElementById("state");
    const task = status.task;
    if (state && task && (task.state === "running" || status.locked)) state.textContent = task.message;
    else if (state && status.locked) state.textContent = "A render is running: this job is read-only until it ends.";
    else if (state && task) state.textContent = `Last studio render: ${task.message}`;
    // The page was drawn for the lock state it found: draw it again when a render starts or ends.
    if ((root.dataset.locked === "yes") !== status.locked) window.location.reload();
  };
  window.addEventListener("beforeunload", () => source.close());
}

function setupAudition() {
  const button = document.getElementById("audition");
  if (!button) return;
  const state = document.getElementById("audition-state");
  const player = document.getElementById("audition-player");
  button.addEventListener("click", async () => {
    button.disabled = true;
    state.textContent = "Rendering a short audition…";
    const body = new URLSearchParams({ voice: document.getElementById("voice").value });
    try {
      const response = await fetch("/new/audition", {
        method: "POST", body, headers: { "X-CSRF-Token": csrfToken },
      });
      if (!response.ok) throw new Error(await response.text());
      player.src = URL.createObjectURL(await response.blob());
      state.textContent = "";
      player.play();
    } catch (error) {
      state.textContent = `No audition: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupPlayer();
  setupAudition();
  followProgress();
});
