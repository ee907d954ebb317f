// Enhances the server-rendered page: results as you type, filters without reloads, shareable
// URLs (back button included), related resources on demand. Without it the page still works.
(function () {
  "use strict";
  var form = document.getElementById("search");
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  if (!form || !input || !results) return;
  var timer = null, pending = null;

  function urlFor(params) { return "/?" + params.toString(); }

  function currentParams() {
    var params = new URLSearchParams();
    var q = input.value.trim();
    if (q) params.set("q", q);
    var facets = document.getElementById("facets");
    if (facets) {
      facets.querySelectorAll("input[type=checkbox]:checked, input[data-filter]").forEach(function (box) { params.append(box.name, box.value); });
    } else {
      form.querySelectorAll("input[data-filter]").forEach(function (h) { params.append(h.name, h.value); });
    }
    return params;
  }

  // refine: the reader is typing or filtering the same question (not added to the question log)
  function load(params, push, refine) {
    if (pending) pending.abort();
    pending = new AbortController();
    var fragment = new URLSearchParams(params); fragment.set("fragment", "results");
    var headers = { "Accept": "text/html" };
    if (refine) headers["X-Catalyse-Refine"] = "1";
    return fetch("/?" + fragment.toString(), { signal: pending.signal, headers: headers })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        results.innerHTML = html;
        var url = urlFor(params);
        if (push === "push") history.pushState({}, "", url); else if (push === "replace") history.replaceState({}, "", url);
        document.title = (params.get("q") ? params.get("q") + " — " : "") + "Catalyse";
      })
      .catch(function (e) { if (e.name !== "AbortError") console.error(e); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { load(currentParams(), "replace", true); }, 300);
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); clearTimeout(timer); load(currentParams(), "push"); });

  results.addEventListener("change", function (e) {
    if (e.target.matches("#facets input[type=checkbox]")) load(currentParams(), "push", true);
  });
  document.addEventListener("click", function (e) {
    var link = e.target.closest("a[data-nav]");
    if (!link || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    var params = new URLSearchParams(link.getAttribute("href").split("?")[1] || "");
    input.value = params.get("q") || input.value;
    if (!params.get("q") && input.value) params.set("q", input.value);
    load(params, "push");
  });
  results.addEventListener("toggle", function (e) {
    var box = e.target;
    if (!box.matches || !box.matches("details[data-related]") || !box.open || box.dataset.loaded) return;
    box.dataset.loaded = "1";
    var body = box.querySelector(".related-body");
    body.textContent = "Chargement…";
    fetch("/?fragment=related&related=" + encodeURIComponent(box.dataset.related))
      .then(function (r) { return r.text(); }).then(function (html) { body.innerHTML = html; });
  }, true);
  window.addEventListener("popstate", function () {
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    load(params, null);
  });
})();
