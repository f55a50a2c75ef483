// Small progressive enhancements shared by all pages. Every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Put keyboard focus on the first problem list so screen readers announce it.
  const problems = document.getElementById("problems");
  if (problems) problems.focus();
  // A form submits once: a second click while the first is on its way would be a duplicate.
  for (const form of document.querySelectorAll("form")) {
    form.addEventListener("submit", () => {
      for (const button of form.querySelectorAll("button[type=submit]")) {
        setTimeout(() => { button.disabled = true; }, 0);
      }
    });
  }
});
