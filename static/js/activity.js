// The activity feed's live updates: htmx polls with a cursor (hx-trigger "every Ns"); this file only
// pauses the polls while the tab is hidden, and asks for what was missed as soon as it is shown again.
// (htmx trigger filters would need eval, which the CSP and the htmx config forbid.)
(function () {
  "use strict";
  document.addEventListener("htmx:confirm", function (event) {
    if (document.hidden && event.target instanceof Element && event.target.hasAttribute("data-pause-when-hidden")) {
      event.preventDefault();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) document.dispatchEvent(new CustomEvent("hubdash:visible"));
  });
})();
