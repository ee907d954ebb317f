/* Catalyse "Ressources liées" widget: <script src="https://HOST/widget.js" data-catalyse-related="auto" async></script>
   "auto" reads the page's main text; any other value is a document or passage id. Shadow DOM, text only, no dependency. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-catalyse-related]");
  if (!script) return;
  var base = new URL(script.src, location.href).origin;
  var source = script.getAttribute("data-catalyse-related") || "auto";
  var k = Math.max(1, Math.min(10, parseInt(script.getAttribute("data-catalyse-k") || "5", 10) || 5));
  var host = document.createElement("div");
  host.className = "catalyse-related";
  script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var style = document.createElement("style");
  style.textContent = ":host{all:initial;display:block}" +
    ".box{font:15px/1.45 system-ui,sans-serif;color:#1b1f24;border:1px solid #d5dbe1;border-radius:8px;padding:.6rem .9rem;background:#fff;max-width:40rem}" +
    "h2{font-size:1rem;margin:.2rem 0 .5rem;color:#19486A}ul{margin:0;padding-left:1.1rem}li{margin:.35rem 0}" +
    ".ep{font-size:.75rem;background:#e8eef4;border-radius:999px;padding:0 .4rem;margin-right:.3rem}" +
    "a{color:#19486A}.meta{color:#4a5560;font-size:.85rem}";
  root.appendChild(style);
  var box = document.createElement("div");
  box.className = "box";
  var title = document.createElement("h2");
  title.textContent = "Ressources liées";
  box.appendChild(title);
  var status = document.createElement("p");
  status.className = "meta";
  status.textContent = "Chargement…";
  box.appendChild(status);
  root.appendChild(box);

  function pageText() {
    var main = document.querySelector("main, article, [role=main]") || document.body;
    return (main.innerText || main.textContent || "").replace(/\s+/g, " ").trim().slice(0, 4000);
  }
  function render(data) {
    box.removeChild(status);
    var list = document.createElement("ul");
    (data.results || []).forEach(function (r) {
      var item = document.createElement("li");
      if (r.entry_point) { var ep = document.createElement("span"); ep.className = "ep"; ep.textContent = r.entry_point.label; item.appendChild(ep); }
      var words = r.text.split(/\s+/).slice(0, 28).join(" ");
      item.appendChild(document.createTextNode(words + "… "));
      var meta = document.createElement("span");
      meta.className = "meta";
      if (r.url) {
        var link = document.createElement("a");
        link.href = /^https?:/.test(r.url) ? r.url : base + r.url; link.target = "_blank"; link.rel = "noopener";
        link.textContent = r.doc_title.split(" — ")[0] + (r.location ? ", " + r.location : "");
        meta.appendChild(link);
      } else { meta.textContent = r.doc_title + (r.location ? ", " + r.location : ""); }
      if (r.speaker) meta.appendChild(document.createTextNode(" · " + r.speaker));
      item.appendChild(meta);
      list.appendChild(item);
    });
    if (!list.childNodes.length) { var none = document.createElement("p"); none.textContent = "Aucune ressource liée."; box.appendChild(none); }
    else box.appendChild(list);
  }
  var request = source === "auto"
    ? fetch(base + "/api/related", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: pageText(), k: k }) })
    : fetch(base + "/api/related?k=" + k + "&id=" + encodeURIComponent(source));
  request.then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(render)
    .catch(function () {      // e.g. this site's origin is not allowed (CORS): a way on to Catalyse instead
      var h = document.querySelector("h1"), words = pageText().split(" ").slice(0, 20).join(" ");
      var topic = (h && h.textContent.trim()) || document.title || words;
      var on = document.createElement("a");
      on.href = base + (source === "auto" ? "/?q=" + encodeURIComponent(topic.slice(0, 200)) : "/?related=" + encodeURIComponent(source));
      on.target = "_blank"; on.rel = "noopener"; on.textContent = "Voir les ressources sur Catalyse";
      status.textContent = ""; status.appendChild(on);
    });
})();
