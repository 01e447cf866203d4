// social-care queue: live list updates, keyboard, collision heartbeat. Vanilla JS, no dependencies.
(function () {
  "use strict";

  function typing(e) {
    var t = e.target;
    return t && ((t.tagName === "INPUT" && t.type !== "checkbox") || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  // a session ended on the server (signed out elsewhere, new password, disabled, timed out): sign in again
  function signedOut(r) {
    if (r.status !== 401) return;
    window.location = "/login?ended=1&next=" + encodeURIComponent(window.location.pathname + window.location.search);
    throw new Error("signed out");
  }

  // ---- the queue ---------------------------------------------------------------------------
  var queue = document.getElementById("queue");
  if (queue) {
    var selectedId = null;
    var rows = function () { return Array.prototype.slice.call(queue.querySelectorAll("tr.row")); };
    var select = function (row) {
      rows().forEach(function (r) { r.classList.remove("selected"); });
      if (!row) { selectedId = null; return; }
      row.classList.add("selected");
      selectedId = row.getAttribute("data-id");
      row.scrollIntoView({ block: "nearest" });
    };
    var current = function () { return queue.querySelector("tr.row.selected"); };
    var move = function (step) {
      var all = rows(); if (!all.length) return;
      var i = all.indexOf(current());
      i = i < 0 ? 0 : Math.min(Math.max(i + step, 0), all.length - 1);
      select(all[i]);
    };
    // bulk selection: checkboxes (shift-click selects a range), "x" toggles the current row; the checked
    // posts survive the live updates of the list
    var picked = {};
    var lastPick = null;
    var bulkCount = document.getElementById("bulk-count");
    var boxes = function () { return Array.prototype.slice.call(queue.querySelectorAll("input.pick")); };
    var idOf = function (box) { return box.value.split(":")[0]; };
    var showPicked = function () {
      var n = boxes().filter(function (b) { return b.checked; }).length;
      if (bulkCount) bulkCount.textContent = n ? n + " selected:" : "Select posts (x, shift-click for a range), then:";
    };
    var setPick = function (box, on) {
      box.checked = on;
      if (on) picked[idOf(box)] = true; else delete picked[idOf(box)];
      var row = box.closest("tr.row");
      if (row) row.classList.toggle("picked", on);
    };
    var restorePicks = function () {
      boxes().forEach(function (b) { if (picked[idOf(b)]) setPick(b, true); });
      showPicked();
    };
    queue.addEventListener("click", function (e) {
      var box = e.target.closest("input.pick");
      if (box) {
        var all = boxes();
        if (e.shiftKey && lastPick !== null) {
          var a = all.indexOf(box), b = all.indexOf(lastPick);
          if (a >= 0 && b >= 0) {
            for (var i = Math.min(a, b); i <= Math.max(a, b); i++) setPick(all[i], box.checked);
          }
        }
        setPick(box, box.checked);
        lastPick = box;
        showPicked();
        return;
      }
      if (e.target.closest("td.sel")) return;
      var row = e.target.closest("tr.row");
      if (row && !e.target.closest("a")) { window.location = row.getAttribute("data-href"); }
    });
    var post = function (url, body) {
      return fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": queue.getAttribute("data-csrf") },
        body: JSON.stringify(body)
      }).then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.detail || r.statusText); return j; }); });
    };
    var live = document.getElementById("live");
    var refresh = function (force) {
      var q = queue.getAttribute("data-query");
      var sep = q ? "&" : "";
      return fetch("/api/queue/stamp?" + q, { credentials: "same-origin" })
        .then(function (r) { signedOut(r); if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (j) {
          if (!force && j.stamp === queue.getAttribute("data-stamp")) return;
          return fetch("/?" + q + sep + "fragment=1", { credentials: "same-origin" })
            .then(function (r) { return r.text(); })
            .then(function (html) {
              queue.innerHTML = html;
              queue.setAttribute("data-stamp", j.stamp);
              lastPick = null;
              restorePicks();
              var again = selectedId && queue.querySelector('tr.row[data-id="' + selectedId + '"]');
              if (again) select(again);
              var l = document.getElementById("live");
              if (l) l.textContent = "updated " + new Date().toLocaleTimeString();
            });
        })
        .catch(function () { if (live) live.textContent = "offline — retrying"; });
    };
    window.setInterval(refresh, 5000);
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      var row = current();
      if (e.key === "j") { move(1); e.preventDefault(); }
      else if (e.key === "k") { move(-1); e.preventDefault(); }
      else if (row && e.key === "x") {
        var box = row.querySelector("input.pick");
        if (box) { setPick(box, !box.checked); lastPick = box; showPicked(); }
        e.preventDefault();
      }
      else if (row && (e.key === "Enter" || e.key === "o")) { window.location = row.getAttribute("data-href"); }
      else if (row && e.key === "a") { window.location = row.getAttribute("data-href") + "#approve"; }
      else if (row && e.key === "e") { window.location = row.getAttribute("data-href") + "#edit"; }
      else if (row && e.key === "r") {
        post("/api/posts/" + row.getAttribute("data-id") + "/resolve", { version: +row.getAttribute("data-version") })
          .then(function () { refresh(true); })
          .catch(function (err) { window.alert(err.message); });
      }
    });
  }

  // ---- a post ------------------------------------------------------------------------------
  var page = document.getElementById("post");
  if (page) {
    var id = page.getAttribute("data-id"), version = +page.getAttribute("data-version");
    var text = document.getElementById("reply-text"), counter = document.getElementById("counter");
    var count = function () {
      if (!text || !counter) return;
      var max = +text.getAttribute("data-max");
      counter.textContent = text.value.length + " / " + max.toLocaleString();
      counter.classList.toggle("over", text.value.length > max);
    };
    // "Approve and send" is disabled while the reply is empty (the server renders it so; without JS,
    // save the draft first); a reply already being sent keeps it disabled whatever is typed.
    var approveBtn = document.getElementById("approve"), why = document.getElementById("approve-why");
    var empty = "Nothing to approve yet: write a reply first.";
    var gate = function () {
      if (!text || !approveBtn || !why || why.getAttribute("data-kind") === "pending") return;
      var blank = !text.value.trim();
      approveBtn.disabled = blank;
      why.textContent = blank ? empty : "";
      why.hidden = !blank;
      why.setAttribute("data-kind", blank ? "empty" : "");
    };
    if (text) { text.addEventListener("input", count); text.addEventListener("input", gate); count(); gate(); }
    if (window.location.hash === "#edit" && text) { text.focus(); text.setSelectionRange(text.value.length, text.value.length); }
    if (window.location.hash === "#approve") { var b = document.getElementById("approve"); if (b) b.focus(); }
    var submit = function (btnId) { var b = document.getElementById(btnId); if (b) b.click(); };
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "/" && picker) { openPicker(); e.preventDefault(); }
      else if (e.key === "e" && text) { text.focus(); e.preventDefault(); }
      else if (e.key === "a") { submit("approve"); }
      else if (e.key === "r") { submit("resolve"); }
      else if (e.key === "Escape" || e.key === "u") { window.location = "/"; }
    });
    // saved replies: "/" opens the search; Enter or a click puts the chosen one (rendered for this post:
    // name, order number, the channel's limit) into the draft box
    var picker = document.getElementById("macro-picker"), search = document.getElementById("macro-search");
    var macroForm = document.getElementById("macro-form");
    var original = text ? text.value : "";
    var items = function () { return picker ? Array.prototype.slice.call(picker.querySelectorAll(".macro-item")) : []; };
    var visible = function () { return items().filter(function (li) { return !li.hidden && li.getAttribute("data-fits") === "1"; }); };
    var openPicker = function () {
      if (!picker || !search) return;
      picker.hidden = false; search.value = ""; filter(); search.focus();
    };
    var closePicker = function () { if (picker) picker.hidden = true; };
    var filter = function () {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      items().forEach(function (li) {
        var hay = li.textContent.toLowerCase();
        li.hidden = !words.every(function (w) { return hay.indexOf(w) >= 0; });
      });
      var first = visible()[0];
      items().forEach(function (li) { li.classList.toggle("active", li === first); });
    };
    var insertMacro = function (macroId) {
      return fetch("/api/posts/" + id + "/macros/" + macroId + "/insert", {
        method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": page.getAttribute("data-csrf") }
      }).then(function (r) { signedOut(r); return r.json().then(function (j) { if (!r.ok) throw new Error(j.detail || r.statusText); return j; }); })
        .then(function (j) {
          if (!text) return;
          if (!text.value.trim() || text.value === original) { text.value = j.text; }
          else {
            var at = text.selectionStart, end = text.selectionEnd;
            text.value = text.value.slice(0, at) + j.text + text.value.slice(end);
          }
          count(); gate(); closePicker(); text.focus();
        })
        .catch(function (err) { window.alert(err.message); });
    };
    if (search) {
      search.addEventListener("input", filter);
      search.addEventListener("keydown", function (e) {
        if (e.key === "Enter") { var first = visible()[0]; if (first) insertMacro(first.getAttribute("data-id")); e.preventDefault(); }
        else if (e.key === "Escape") { closePicker(); e.preventDefault(); }
      });
    }
    if (picker) {
      picker.addEventListener("click", function (e) {
        var li = e.target.closest(".macro-item");
        if (li && li.getAttribute("data-fits") === "1") insertMacro(li.getAttribute("data-id"));
      });
    }
    if (macroForm) {
      macroForm.addEventListener("submit", function (e) {
        var sel = document.getElementById("macro-select");
        if (sel && sel.value) { e.preventDefault(); insertMacro(sel.value); }
      });
    }
    var changed = document.getElementById("changed");
    var beat = function () {
      fetch("/api/posts/" + id + "/view", {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRF-Token": page.getAttribute("data-csrf") }
      }).then(function (r) { signedOut(r); return r.ok ? r.json() : null; }).then(function (j) {
        if (!j || !changed) return;
        var bits = [];
        if (j.version !== version) bits.push("This post changed since you opened it — reload before sending.");
        if (j.viewers.length) bits.push("Also open by " + j.viewers.map(function (v) { return v.username; }).join(", ") + ".");
        changed.textContent = bits.join(" ");
        changed.hidden = !bits.length;
      }).catch(function () {});
    };
    window.setInterval(beat, 20000);
  }
})();
