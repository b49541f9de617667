// Keyboard shortcuts of the workbench (docs/workbench.md): "/" search, "n" next case,
// "c" record a contact, "q" the queue, "?" the shortcut list. Ignored while typing.
(function () {
  "use strict";
  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  function go(selector, focus) {
    var el = document.querySelector(selector);
    if (!el) { return false; }
    if (focus) { el.focus(); el.scrollIntoView({block: "center"}); } else { el.click(); }
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var done = false;
    if (event.key === "/") { done = go("[data-shortcut='search']", true); }
    else if (event.key === "n") { done = go("[data-shortcut='next']", false); }
    else if (event.key === "c") { done = go("[data-shortcut='contact']", true); }
    else if (event.key === "q") { done = go("[data-shortcut='queue']", false); }
    else if (event.key === "?") { done = go("[data-shortcut='help']", false); }
    if (done) { event.preventDefault(); }
  });
  // Show the promise fields only when the outcome is a promise.
  function syncPromise(form) {
    var outcome = form.querySelector("[name=outcome]");
    var box = form.querySelector("[data-promise-fields]");
    if (outcome && box) { box.hidden = outcome.value !== "promise"; }
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-contact-form]");
    if (form) { syncPromise(form); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-contact-form]").forEach(syncPromise);
  });
  // A picker that submits its form on change (the team page's team picker): an inline
  // onchange handler would be refused by the Content-Security-Policy.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
})();
