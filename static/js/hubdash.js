// Disclosure menus (<details class="menu">) work without this file; it only closes them the way people
// expect: on Escape, on a click elsewhere, and when another menu opens.
(function () {
  "use strict";
  function openMenus() {
    return Array.prototype.slice.call(document.querySelectorAll("details.menu[open]"));
  }
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary && menu.contains(document.activeElement)) summary.focus();
    });
  });
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!(opened instanceof HTMLDetailsElement) || !opened.open || !opened.classList.contains("menu")) return;
    openMenus().forEach(function (menu) {
      // A menu inside another (the saved views in the phone's menu) leaves the one around it open.
      if (menu !== opened && !menu.contains(opened)) menu.removeAttribute("open");
    });
  }, true);
  // htmx's posts carry the CSRF token of the CSRF cookie (named in settings.py: "__Host-hubdash-csrf" in
  // production, "hubdash-csrf" in development), read at each request: pages, which may come from a cache
  // shared by the person's browsers, hold no token of their own.
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb === "get") return;
    // The prefixed name first: in production a plain "hubdash-csrf" could only be a cookie planted from
    // elsewhere, and sending it would make every post fail.
    var found = document.cookie.match(/(?:^|;\s*)__Host-hubdash-csrf=([^;]+)/) ||
      document.cookie.match(/(?:^|;\s*)hubdash-csrf=([^;]+)/);
    if (found) event.detail.headers["X-CSRFToken"] = decodeURIComponent(found[1]);
  });
  // A "Copy" button beside a read-only field (data-copy="<field id>"); hidden without JavaScript.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = "Copied";
      }, function () {
        field.select();
      });
    });
  });
})();
