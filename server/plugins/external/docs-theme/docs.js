// /docs (Swagger UI), what the page lacks for assistive technology, added once the page renders
// and again as it re-renders: the API's title and description as the page's banner (the
// operations are its main landmark already), heading levels without gaps (Swagger UI goes from
// the h1 title to h3 tags), names for the example pickers, the request body and the dialog's
// close button, and the Authorize window as a dialog. A file of its own
// (served by @fastify/swagger-ui's theme option), so the page needs no inline script.
(function () {
  function mend() {
    var info = document.querySelector(".swagger-ui .information-container");
    if (info && !info.hasAttribute("role")) info.setAttribute("role", "banner");
    // h3 → level 2, h4 → 3, h5 → 4: one step below the title at every depth.
    var headings = document.querySelectorAll(".swagger-ui h3, .swagger-ui h4, .swagger-ui h5, .swagger-ui h6");
    for (var j = 0; j < headings.length; j++) {
      if (!headings[j].hasAttribute("aria-level")) headings[j].setAttribute("aria-level", String(Number(headings[j].tagName.charAt(1)) - 1));
    }
    var bodies = document.querySelectorAll(".swagger-ui textarea:not([aria-label]):not([aria-labelledby])");
    for (var k = 0; k < bodies.length; k++) {
      if (!(bodies[k].labels && bodies[k].labels.length > 0)) bodies[k].setAttribute("aria-label", bodies[k].closest(".body-param") ? "Request body" : "Value");
    }
    var closers = document.querySelectorAll(".swagger-ui .close-modal:not([aria-label])");
    for (var m = 0; m < closers.length; m++) closers[m].setAttribute("aria-label", "Close");
    var modals = document.querySelectorAll(".swagger-ui .modal-ux:not([role])");
    for (var n = 0; n < modals.length; n++) {
      var title = modals[n].querySelector(".modal-ux-header h3");
      modals[n].setAttribute("role", "dialog");
      modals[n].setAttribute("aria-modal", "true");
      if (title) modals[n].setAttribute("aria-label", title.textContent || "Dialog");
    }
    var selects = document.querySelectorAll("select:not([aria-label]):not([aria-labelledby])");
    for (var i = 0; i < selects.length; i++) {
      var select = selects[i];
      if (select.labels && select.labels.length > 0) continue;
      select.setAttribute("aria-label", select.classList.contains("examples-select-element") ? "Example" : "Choice");
    }
  }
  new MutationObserver(mend).observe(document.documentElement, { childList: true, subtree: true });
  mend();
})();
