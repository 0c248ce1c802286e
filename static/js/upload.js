// The Upload tab. Without this file the form posts as it is (one path field, no progress). With it:
// one path field per chosen file (prefilled with its name), sizes and paths checked before a byte is
// sent, and the transfer's progress from the XHR's upload events (htmx posts the form and reports
// them as htmx:xhr:progress).
(function () {
  "use strict";

  function form() { return document.getElementById("upload-form"); }

  function sizeLabel(bytes) {
    var units = ["bytes", "KB", "MB", "GB", "TB"], n = bytes, i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : String(n)) + " " + units[i];
  }

  // The Hub's rules, as hubdash/hub/upload.py checks them again on the server.
  function pathProblem(path) {
    if (!path) return "a path is needed";
    if (path.charAt(0) === "/") return "a path cannot start with /";
    if (path.indexOf("\\") >= 0) return "use / between folders, not \\";
    var parts = path.split("/");
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] === "") return "a path cannot have an empty folder name (// or a trailing /)";
      if (parts[i] === "." || parts[i] === "..") return "a path cannot contain . or ..";
      if (parts[i] === ".git") return "a path cannot go into .git";
    }
    return null;
  }

  function showProblems(f, problems) {
    var box = document.getElementById("upload-check");
    box.textContent = problems.join(" ");
    box.hidden = problems.length === 0;
    return problems.length === 0;
  }

  // One path field per chosen file, named "path" like the single field it replaces.
  function renderPaths(f) {
    var input = f.querySelector("input[type=file]");
    var holder = document.getElementById("upload-paths");
    if (!input || !holder) return;
    var files = Array.prototype.slice.call(input.files || []);
    holder.textContent = "";
    var label = document.createElement("p");
    label.className = "help";
    label.textContent = files.length ? "Path in the repo of each file:" : "";
    holder.appendChild(label);
    files.forEach(function (file, n) {
      var id = "id_path_" + n;
      var row = document.createElement("div");
      var l = document.createElement("label");
      l.setAttribute("for", id);
      l.textContent = file.name + " (" + sizeLabel(file.size) + ")";
      var p = document.createElement("input");
      p.type = "text"; p.name = "path"; p.id = id; p.value = file.name; p.maxLength = 1000;
      p.autocomplete = "off"; p.spellcheck = false;
      row.appendChild(l); row.appendChild(p);
      holder.appendChild(row);
    });
  }

  function check(f) {
    var max = Number(f.getAttribute("data-max-bytes")) || 0;
    var files = Array.prototype.slice.call(f.querySelector("input[type=file]").files || []);
    var problems = [];
    files.forEach(function (file) {
      if (max && file.size > max) {
        problems.push(file.name + " is " + sizeLabel(file.size) + ", larger than the limit of " +
          f.getAttribute("data-max-label") + " per file.");
      }
    });
    var seen = {};
    f.querySelectorAll("input[name=path]").forEach(function (p) {
      if (!p.id || p.id === "id_path") return;  // the single field: empty or a folder, checked on the server
      var problem = pathProblem(p.value.trim());
      if (problem) problems.push((p.value || "(empty)") + ": " + problem + ".");
      else if (seen[p.value.trim()]) problems.push(p.value + ": two files would have the same path.");
      seen[p.value.trim()] = true;
    });
    return showProblems(f, problems);
  }

  function progress(loaded, total) {
    var line = document.getElementById("upload-progress-line");
    var bar = document.getElementById("upload-progress");
    var text = document.getElementById("upload-percent");
    if (!line || !bar || !text) return;
    var percent = total ? Math.floor((loaded / total) * 100) : 0;
    line.hidden = false;
    bar.value = percent;
    text.textContent = percent + " %" + (total ? " of " + sizeLabel(total) : "");
  }

  document.addEventListener("change", function (event) {
    var f = form();
    if (!f || event.target !== f.querySelector("input[type=file]")) return;
    renderPaths(f);
    check(f);
  });

  document.addEventListener("input", function (event) {
    var f = form();
    if (f && event.target.name === "path" && f.contains(event.target)) check(f);
  });

  // htmx asks before it sends: nothing leaves the browser while a size or a path is refused.
  document.addEventListener("htmx:confirm", function (event) {
    var f = form();
    if (!f || event.target !== f) return;
    if (!check(f)) { event.preventDefault(); return; }
    progress(0, 0);
    f.querySelector("button[type=submit]").disabled = true;
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    if (isUploadForm(event.target) && event.detail.lengthComputable) progress(event.detail.loaded, event.detail.total);
  });

  function isUploadForm(elt) { return !!elt && elt.id === "upload-form"; }

  // The panel (and the form with it) was swapped for the answer: the line above it tells how the transfer ended.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!isUploadForm(event.detail.elt)) return;
    var text = document.getElementById("upload-percent");
    var xhr = event.detail.xhr;
    if (!text || !xhr) return;
    if (xhr.status >= 200 && xhr.status < 300) {
      document.getElementById("upload-progress").value = 100;
      text.textContent = "100 %: received, see its push below";
    } else if (xhr.status) {
      text.textContent = "refused: see why below";
    } else {
      text.textContent = "the transfer broke off; try again";
      var f = form();
      if (f) f.querySelector("button[type=submit]").disabled = false;
    }
  });
})();
