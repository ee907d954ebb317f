// « Mon dossier »: the passages a reader keeps, in this browser (localStorage, no account), as
// [{id, note}]. Results get an « Ajouter au dossier » button; the /dossier page lists them (the
// server renders them from their ids, so citations are the index's), reorders them, keeps a note
// on each, and links to the exports and to a shareable URL.
(function () {
  "use strict";
  var KEY = "catalyse-dossier";

  function read() {
    try { var v = JSON.parse(localStorage.getItem(KEY) || "[]"); return Array.isArray(v) ? v : []; }
    catch (e) { return []; }
  }
  function write(list) {
    try { localStorage.setItem(KEY, JSON.stringify(list)); } catch (e) { /* private mode: the page still lists */ }
    counter();
  }
  function counter() {
    var n = read().length;
    document.querySelectorAll("[data-dossier-count]").forEach(function (a) {
      a.textContent = n ? "Mon dossier (" + n + ")" : "Mon dossier";
    });
  }
  function query(list) {
    var params = new URLSearchParams();
    list.forEach(function (x) { params.append("id", x.id); });
    if (list.some(function (x) { return x.note; })) list.forEach(function (x) { params.append("note", x.note || ""); });
    return params.toString();
  }

  // -- the results' buttons -------------------------------------------------------------------
  function buttons() {
    var kept = {};
    read().forEach(function (x) { kept[x.id] = true; });
    document.querySelectorAll("[data-dossier-add]").forEach(function (b) {
      var inside = !!kept[b.getAttribute("data-dossier-add")];
      b.hidden = false;
      b.setAttribute("aria-pressed", inside ? "true" : "false");
      b.textContent = inside ? "Dans le dossier ✓" : "Ajouter au dossier";
    });
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-dossier-add]");
    if (!b) return;
    var id = b.getAttribute("data-dossier-add"), list = read();
    var at = list.findIndex(function (x) { return x.id === id; });
    if (at >= 0) list.splice(at, 1); else list.push({ id: id, note: "" });
    write(list);
    buttons();
  });
  document.addEventListener("catalyse:results", buttons);

  // -- the dossier page -------------------------------------------------------------------------
  var box = document.getElementById("dossier");
  function shown() {
    return [].map.call(box.querySelectorAll("#dossier-list > li"), function (li) {
      return { id: li.getAttribute("data-id"), note: li.querySelector("[data-note]").value.trim() };
    });
  }
  function changed() {
    var list = shown(), q = query(list);
    box.querySelectorAll("[data-export]").forEach(function (a) {
      a.setAttribute("href", "/dossier/export." + a.getAttribute("data-export") + "?" + q);
    });
    var share = box.querySelector("#share");
    if (share) share.value = location.origin + "/dossier?" + q;
    if (box.getAttribute("data-shared") !== "yes") write(list);
  }
  function tools() {
    box.querySelectorAll(".tools").forEach(function (t) { t.hidden = false; });
  }
  if (box) {
    var own = read();
    if (box.getAttribute("data-shared") !== "yes" && own.length) {
      fetch("/dossier?fragment=list&" + query(own)).then(function (r) { return r.text(); }).then(function (html) {
        box.innerHTML = html;
        tools();
        changed();           // passages removed from the index since are dropped
      });
    } else tools();
    var keep = document.querySelector("[data-keep]");
    if (keep) {
      keep.hidden = false;
      keep.addEventListener("click", function () {
        write(shown());
        box.setAttribute("data-shared", "no");
        keep.parentNode.textContent = "Ce dossier est maintenant le vôtre, dans ce navigateur.";
      });
    }
    box.addEventListener("click", function (e) {
      var li = e.target.closest("#dossier-list > li");
      if (!li) return;
      var move = e.target.closest("[data-move]");
      if (move) {
        var sibling = move.getAttribute("data-move") === "-1" ? li.previousElementSibling : li.nextElementSibling;
        if (sibling) {
          if (move.getAttribute("data-move") === "-1") li.parentNode.insertBefore(li, sibling);
          else li.parentNode.insertBefore(sibling, li);
          move.focus();
          changed();
        }
      } else if (e.target.closest("[data-remove]")) {
        var next = li.nextElementSibling || li.previousElementSibling;
        li.parentNode.removeChild(li);
        changed();
        if (next) next.querySelector("[data-remove]").focus();
      }
    });
    box.addEventListener("input", function (e) { if (e.target.matches("[data-note]")) changed(); });
  }
  counter();
  buttons();
})();
