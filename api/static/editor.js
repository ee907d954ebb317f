// The editors' page: the token stays in this tab's memory; every call sends it as a bearer token.
(function () {
  "use strict";
  var token = null;
  var $ = function (id) { return document.getElementById(id); };
  var message = $("editor-message");
  function say(text) { if (message) message.textContent = text; }
  function call(method, url, body, type) {
    var headers = { "Authorization": "Bearer " + token };
    if (type) headers["Content-Type"] = type;
    return fetch(url, { method: method, body: body, headers: headers })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (!r.ok) {
            var err = data.error || (data.detail && data.detail.message ? data.detail : { message: r.statusText });
            throw new Error(err.message || ("erreur " + r.status));
          }
          return data;
        });
      });
  }
  function li(text) { var item = document.createElement("li"); item.textContent = text; return item; }
  function refresh() {
    call("GET", "/api/jobs").then(function (data) {
      var list = $("jobs"); list.replaceChildren();
      data.jobs.forEach(function (j) {
        var item = li(j.action + " " + (j.doc_id || "") + " — " + j.status + (j.message ? " : " + j.message : ""));
        var p = j.progress;
        if (p && j.status === "en cours") {  // the same progress as the command line's bar
          var bar = document.createElement("progress");
          bar.max = Math.max(1, p.documents); bar.value = p.done;
          item.appendChild(document.createTextNode(" "));
          item.appendChild(bar);
          item.appendChild(document.createTextNode(" " + Math.floor(p.done) + "/" + p.documents + " documents, " +
            p.passages + " passages" + (p.seconds_left != null ? ", encore ~" + p.seconds_left + " s" : "")));
        }
        if ((j.status === "en cours" || j.status === "en attente") && !j.cancel_requested && !j.writing) {
          var cancel = document.createElement("button");
          cancel.type = "button"; cancel.textContent = "Annuler";
          cancel.addEventListener("click", function () {
            call("DELETE", "/api/jobs/" + encodeURIComponent(j.id)).then(refresh).catch(function (e) { say(e.message); });
          });
          item.appendChild(document.createTextNode(" ")); item.appendChild(cancel);
        }
        list.appendChild(item);
      });
      if (data.jobs.some(function (j) { return j.status === "en cours" || j.status === "en attente"; })) setTimeout(refresh, 1000);
      else listDocuments();
    }).catch(function (e) { say(e.message); });
  }
  function listDocuments() {
    fetch("/api/documents").then(function (r) { return r.json(); }).then(function (data) {
      var list = $("documents"); list.replaceChildren();
      (data.documents || []).forEach(function (d) {
        var item = li(d.title + " (" + d.id + ", " + d.passages + " passages) ");
        var button = document.createElement("button");
        button.type = "button"; button.textContent = "Retirer"; button.setAttribute("aria-label", "Retirer " + d.title);
        button.addEventListener("click", function () {
          if (!confirm("Retirer « " + d.title + " » ?")) return;
          call("DELETE", "/api/documents/" + encodeURIComponent(d.id)).then(refresh).catch(function (e) { say(e.message); });
        });
        item.appendChild(button);
        var review = document.createElement("button");
        review.type = "button"; review.textContent = "Étiquettes"; review.dataset.review = d.id;
        review.setAttribute("aria-label", "Vérifier les étiquettes de " + d.title);
        review.addEventListener("click", function () { openReview(d.id); });
        item.appendChild(document.createTextNode(" ")); item.appendChild(review);
        list.appendChild(item);
      });
    });
  }

  // -- reviewing a publication's tags: confirm, remove, add (each a job, then the list again) --
  var FACETS = [["levers", "Leviers"], ["sdg", "ODD"], ["trades", "Métiers"]];
  var reviewed = null, labels = null;
  function waitJob(job) {
    return call("GET", "/api/jobs/" + job.id).then(function (j) {
      if (j.status === "terminé") return j;
      if (j.status === "échec") throw new Error(j.message);
      return new Promise(function (ok) { setTimeout(ok, 400); }).then(function () { return waitJob(job); });
    });
  }
  function correct(body) {
    body.doc_id = reviewed;
    say("Correction en cours…");
    return call("POST", "/api/corrections", JSON.stringify(body), "application/json").then(waitJob)
      .then(function (j) { say(j.message); return loadReview(); })
      .catch(function (e) { say(e.message); });
  }
  function options(select, withEntryPoint) {
    select.replaceChildren();
    var groups = FACETS.concat(withEntryPoint ? [["entry_points", "Point d'entrée"]] : []);
    groups.forEach(function (g) {
      var group = document.createElement("optgroup"); group.label = g[1];
      labels[g[0]].forEach(function (t) {
        var o = document.createElement("option");
        o.value = (g[0] === "entry_points" ? "entry_point" : g[0]) + ":" + t.id; o.textContent = t.label;
        group.appendChild(o);
      });
      select.appendChild(group);
    });
  }
  function change(value, removing) {      // "sdg:4" → {add: {sdg: [4]}} (an entry point is given, not removed)
    var facet = value.split(":")[0], id = value.slice(facet.length + 1);
    if (facet === "entry_point") return { entry_point: id };
    var body = {}; body[removing ? "remove" : "add"] = {}; body[removing ? "remove" : "add"][facet] = [id];
    return body;
  }
  function tagLine(facet, title, l, passageId) {
    var item = document.createElement("li");
    var name = l.label.indexOf(title) === 0 ? l.label : title + " : " + l.label;     // « ODD 3 — … », not « ODD : ODD 3 »
    item.appendChild(document.createTextNode(name + " (" + Math.round(l.score * 100) + " %) "));
    var why = document.createElement("span"); why.className = "evidence";
    var said = (l.evidence || []).join(" ; ");
    why.textContent = l.editorial ? "ajoutée par un éditeur" : "« " + (said.length > 160 ? said.slice(0, 160) + "…" : said) + " »";
    item.appendChild(why);
    if (facet !== "entry_point") {
      var remove = document.createElement("button");
      remove.type = "button"; remove.textContent = "×"; remove.dataset.remove = facet + ":" + l.id;
      remove.setAttribute("aria-label", "Retirer « " + l.label + " »");
      remove.addEventListener("click", function () {
        var body = change(facet + ":" + l.id, true); body.passage_id = passageId; correct(body);
      });
      item.appendChild(document.createTextNode(" ")); item.appendChild(remove);
    }
    return item;
  }
  function passageView(p) {
    var box = document.createElement("article");
    box.className = "review-passage" + (p.confirmed ? " confirmed" : ""); box.dataset.passage = p.id;
    var meta = document.createElement("p"); meta.className = "meta";
    meta.textContent = [p.location, p.section[p.section.length - 1], p.speaker,
                        "confiance " + Math.round(p.confidence * 100) + " %"].filter(Boolean).join(" · ");
    var text = document.createElement("blockquote"); text.textContent = p.text;
    var tags = document.createElement("ul"); tags.className = "review-tags";
    FACETS.forEach(function (f) { p[f[0]].forEach(function (l) { tags.appendChild(tagLine(f[0], f[1], l, p.id)); }); });
    if (p.entry_point) tags.appendChild(tagLine("entry_point", "Point d'entrée", p.entry_point, p.id));
    var select = document.createElement("select"); select.className = "review-add";
    select.setAttribute("aria-label", "Étiquette à ajouter"); options(select, true);
    var add = document.createElement("button"); add.type = "button"; add.className = "review-add"; add.textContent = "Ajouter";
    add.addEventListener("click", function () { var body = change(select.value, false); body.passage_id = p.id; correct(body); });
    var ok = document.createElement("button"); ok.type = "button"; ok.className = "review-confirm";
    ok.textContent = p.confirmed ? "Confirmé" : "Confirmer"; ok.disabled = p.confirmed;
    ok.addEventListener("click", function () { correct({ passage_id: p.id, confirm: true }); });
    [meta, text, tags, select, document.createTextNode(" "), add, document.createTextNode(" "), ok]
      .forEach(function (n) { box.appendChild(n); });
    return box;
  }
  function loadReview() {
    var toCheck = $("review-to-check").checked;
    return call("GET", "/api/documents/" + encodeURIComponent(reviewed) + "/passages" + (toCheck ? "?to_check=true" : ""))
      .then(function (data) {
        labels = data.labels;
        if (!$("review-publication-label").options.length) options($("review-publication-label"), true);
        $("review-title").textContent = "Étiquettes de « " + data.title + " »";
        var area = $("review"); area.replaceChildren();
        area.dataset.toCheck = toCheck ? "1" : "0";      // which list is shown (the browser test waits on it)
        if (!data.passages.length) { var none = document.createElement("p"); none.textContent = "Aucun passage à vérifier."; area.appendChild(none); }
        data.passages.forEach(function (p) { area.appendChild(passageView(p)); });
      }).catch(function (e) { say(e.message); });
  }
  function openReview(docId) {
    reviewed = docId; $("review-area").hidden = false;
    $("review-publication-label").replaceChildren();
    loadReview().then(function () { $("review-area").scrollIntoView(); });
  }
  // What readers asked: the unanswered questions (publications to look for), the frequent ones
  function row(cells) {
    var tr = document.createElement("tr");
    cells.forEach(function (c) { var td = document.createElement("td"); td.textContent = String(c); tr.appendChild(td); });
    return tr;
  }
  function fill(table, rows) {      // an empty table says so in one cell (a header row with no data cell is unreadable)
    var body = $(table).querySelector("tbody");
    if (!rows.length) {
      var tr = document.createElement("tr"), td = document.createElement("td");
      td.colSpan = $(table).querySelectorAll("thead th").length; td.className = "none";
      td.textContent = "Aucune question pour l'instant."; tr.appendChild(td); rows = [tr];
    }
    body.replaceChildren.apply(body, rows);
  }
  function loadQuestions() {
    call("GET", "/api/questions?top=30").then(function (data) {
      var about = $("questions-about");
      if (!data.enabled) { about.textContent = "Le journal des questions est désactivé (CATALYSE_QUESTION_LOG)."; return; }
      about.textContent = data.questions + " questions posées sur les " + data.retention_days +
        " derniers jours (conservées " + data.retention_days + " jours, sans adresse ni identifiant).";
      var arrows = { hausse: "↗ hausse", baisse: "↘ baisse", stable: "→ stable", nouvelle: "nouvelle" };
      fill("unanswered", data.unanswered.map(function (q) { return row([q.question, q.count, q.last_7_days, q.previous_7_days, arrows[q.trend]]); }));
      fill("frequent", data.frequent.map(function (q) { return row([q.question, q.count, q.answered ? "oui" : "aucune", arrows[q.trend]]); }));
    }).catch(function (e) { say(e.message); });
  }
  function exportQuestions() {
    fetch("/api/questions.csv", { headers: { "Authorization": "Bearer " + token } })
      .then(function (r) { if (!r.ok) throw new Error("erreur " + r.status); return r.blob(); })
      .then(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob); link.download = "questions-catalyse.csv";
        document.body.appendChild(link); link.click(); link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      }).catch(function (e) { say(e.message); });
  }
  var tokenForm = $("token-form");
  if (!tokenForm) return;
  tokenForm.addEventListener("submit", function (e) {
    e.preventDefault();
    token = $("token").value;
    call("GET", "/api/jobs").then(function () {
      $("editor-area").hidden = false; tokenForm.hidden = true; say("Connecté."); refresh(); loadQuestions();
    }).catch(function (err) { token = null; say(err.message); });
  });
  $("upload-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var data = new FormData();
    data.append("file", $("file").files[0]);
    var meta = {};
    ["title", "date", "publisher", "genre", "video_url"].forEach(function (k) { if ($(k).value) meta[k] = $(k).value; });
    data.append("metadata", JSON.stringify(meta));
    say("Envoi…");
    call("POST", "/api/documents", data).then(function () { say("Publication reçue, indexation en cours…"); refresh(); })
      .catch(function (err) { say(err.message); });
  });
  $("review-to-check").addEventListener("change", loadReview);
  $("review-publication-add").addEventListener("click", function () { correct(change($("review-publication-label").value, false)); });
  $("review-publication-remove").addEventListener("click", function () {
    var value = $("review-publication-label").value;
    if (value.indexOf("entry_point:") === 0) { say("Un point d'entrée se remplace, il ne se retire pas."); return; }
    correct(change(value, true));
  });
  $("review-publication-confirm").addEventListener("click", function () {
    if (confirm("Confirmer les étiquettes de tous les passages de la publication ?")) correct({ confirm: true });
  });
  $("questions-csv").addEventListener("click", exportQuestions);
  $("reindex").addEventListener("click", function () {
    call("POST", "/api/reindex").then(refresh).catch(function (err) { say(err.message); });
  });
})();
