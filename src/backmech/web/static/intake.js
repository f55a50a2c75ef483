// Intake wizard: small enhancements only; every screen works as a plain form without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("intake-form");
  if (!form) return;
  let changed = false;
  let submitting = false;
  form.addEventListener("change", (event) => {
    changed = true;
    // Once a question is answered, its error message no longer applies.
    const question = event.target.closest(".question");
    if (question && question.classList.contains("has-error")) {
      question.classList.remove("has-error");
      const message = question.querySelector(".field-error");
      if (message) message.hidden = true;
      for (const input of question.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    }
  });
  form.addEventListener("submit", () => { submitting = true; });
  // Leaving a page with unsaved answers (Back, a link, closing the tab) asks first.
  window.addEventListener("beforeunload", (event) => {
    if (changed && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
});
