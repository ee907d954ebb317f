// Enhances the server-rendered page: results as you type, filters without reloads, shareable
// URLs, « plus de résultats », the phone's « Filtres » panel. Without it the page still works.
//
// History: one entry per question. The first keystroke of a question pushes an entry (the page
// before it, the home page included, stays in the history); the next keystrokes refine that entry
// in place; Enter commits it without adding another. Filters, pills and « plus de résultats » push
// an entry each, so Back and Forward restore question, filters and page.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var form = document.getElementById("search");
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  var loading = document.getElementById("loading");
  var skip = document.querySelector(".skip");
  if (!form || !input || !results) return;
  var timer = null, pending = null, sequence = 0, shown = location.search;
  var phone = window.matchMedia("(max-width: 760px)");
  history.replaceState({ typed: false }, "", location.href);

  function here() { return location.pathname + location.search; }
  function urlFor(params) { var s = params.toString(); return s ? "/?" + s : "/"; }

  function currentParams() {
    var params = new URLSearchParams();
    var q = input.value.trim();
    if (q) params.set("q", q);
    var facets = document.getElementById("facets");
    var source = facets ? facets.querySelectorAll("input[type=checkbox]:checked, input[data-filter]")
                        : form.querySelectorAll("input[data-filter]");
    source.forEach(function (box) { params.append(box.name, box.value); });
    return params;
  }

  function busy(on) {
    results.classList.toggle("stale", on);
    results.setAttribute("aria-busy", on ? "true" : "false");
    if (loading) { loading.classList.toggle("busy", on); if (on) loading.textContent = "Recherche en cours…"; }
  }

  function keyOf(element) {
    return element && results.contains(element) && element.getAttribute("data-key");
  }

  function focusAfter(key, fallback) {
    var target = key && results.querySelector('[data-key="' + CSS.escape(key) + '"]');
    if (!target && fallback) target = results.querySelector(fallback);
    if (target) target.focus({ preventScroll: !fallback });
  }

  function rendered() {
    if (phone.matches) results.querySelectorAll("details.overview").forEach(function (d) { d.open = false; });
    if (skip) {
      var toResults = !!results.querySelector("#resultats");
      skip.setAttribute("href", toResults ? "#resultats" : "#contenu");
      skip.textContent = toResults ? "Aller aux résultats" : "Aller au contenu";
    }
    var summary = results.querySelector("#resume");
    if (loading) loading.textContent = summary ? summary.textContent.replace(/\s+/g, " ").trim() : "";
    document.dispatchEvent(new CustomEvent("catalyse:results"));
  }

  // mode: "push", "replace" or null (Back/Forward: the URL is already there); typed: an entry
  // being typed, which the next keystrokes refine; refine: the reader is typing or filtering the
  // same question (not added to the question log). An answer for an older request is discarded.
  function load(params, mode, options) {
    options = options || {};
    var mine = ++sequence;
    if (pending) pending.abort();
    pending = new AbortController();
    var focusKey = keyOf(document.activeElement);
    var filtersOpen = !!results.querySelector(".facets.open");
    busy(true);
    var fragment = new URLSearchParams(params); fragment.set("fragment", "results");
    var headers = { "Accept": "text/html" };
    if (options.refine) headers["X-Catalyse-Refine"] = "1";
    return fetch("/?" + fragment.toString(), { signal: pending.signal, headers: headers })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        if (mine !== sequence) return;
        results.innerHTML = html;
        var url = urlFor(params) + (options.hash || "");
        var state = { typed: !!options.typed };
        if (mode === "push") history.pushState(state, "", url);
        else if (mode === "replace") history.replaceState(state, "", url);
        document.title = (params.get("q") ? params.get("q") + " — " : "") + "Catalyse";
        shown = location.search;
        if (filtersOpen) openFilters(false);
        busy(false);
        rendered();
        if (options.focus) { var el = results.querySelector(options.focus); if (el) { el.setAttribute("tabindex", "-1"); el.focus(); } }
        else if (focusKey) focusAfter(focusKey, options.fallback || "#resume");
      })
      .catch(function (e) { if (e.name !== "AbortError") { console.error(e); busy(false); } });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    busy(true);
    timer = setTimeout(function () {
      var typing = history.state && history.state.typed;
      load(currentParams(), typing ? "replace" : "push", { typed: true, refine: true });
    }, 250);
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearTimeout(timer);
    var params = currentParams();
    var refine = (history.state && history.state.typed) || urlFor(params) === here();
    load(params, refine ? "replace" : "push", { typed: false });
  });

  results.addEventListener("change", function (e) {
    if (e.target.matches("#facets input[type=checkbox]")) load(currentParams(), "push", { refine: true });
  });

  function openFilters(moveFocus) {
    var panel = results.querySelector(".facets"), button = results.querySelector("[data-open-filters]");
    if (!panel) return;
    panel.classList.add("open");
    if (button) button.setAttribute("aria-expanded", "true");
    if (moveFocus) { var close = panel.querySelector("[data-close-filters]"); if (close) close.focus(); }
  }
  function closeFilters() {
    var panel = results.querySelector(".facets.open"), button = results.querySelector("[data-open-filters]");
    if (!panel) return;
    panel.classList.remove("open");
    if (button) { button.setAttribute("aria-expanded", "false"); button.focus(); }
  }
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") closeFilters(); });

  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-open-filters]")) { openFilters(true); return; }
    if (e.target.closest("[data-close-filters]")) { closeFilters(); return; }
    var link = e.target.closest("a[data-nav], a[data-more]");
    if (!link || e.ctrlKey || e.metaKey || e.shiftKey || e.button) return;
    e.preventDefault();
    var href = link.getAttribute("href");
    var hash = href.indexOf("#") >= 0 ? href.slice(href.indexOf("#")) : "";
    var params = new URLSearchParams(href.split("#")[0].split("?")[1] || "");
    if (link.hasAttribute("data-more")) { load(params, "push", { hash: hash, focus: hash }); return; }
    input.value = params.get("q") || input.value;
    if (!params.get("q") && input.value) params.set("q", input.value);
    load(params, "push", { fallback: "#resume" });
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
    if (location.search === shown) return;          // only the fragment changed (a skip link, #r11)
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    load(params, null, { typed: history.state && history.state.typed });
  });
  rendered();
})();
