// The editors' page: the token stays in this tab's memory; every call sends it as a bearer token.
(function () {
  "use strict";
  var token = null;
  var $ = function (id) { return document.getElementById(id); };
  var message = $("editor-message");
  function say(text) { if (message) message.textContent = text; }
  function call(method, url, body) {
    return fetch(url, { method: method, body: body, headers: { "Authorization": "Bearer " + token } })
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
        item.appendChild(button); list.appendChild(item);
      });
    });
  }
  // What readers asked: the unanswered questions (publications to look for), the frequent ones
  function row(cells) {
    var tr = document.createElement("tr");
    cells.forEach(function (c) { var td = document.createElement("td"); td.textContent = String(c); tr.appendChild(td); });
    return tr;
  }
  function loadQuestions() {
    call("GET", "/api/questions?top=30").then(function (data) {
      var about = $("questions-about");
      if (!data.enabled) { about.textContent = "Le journal des questions est désactivé (CATALYSE_QUESTION_LOG)."; return; }
      about.textContent = data.questions + " questions posées sur les " + data.retention_days +
        " derniers jours (conservées " + data.retention_days + " jours, sans adresse ni identifiant).";
      var arrows = { hausse: "↗ hausse", baisse: "↘ baisse", stable: "→ stable", nouvelle: "nouvelle" };
      $("unanswered").querySelector("tbody").replaceChildren.apply($("unanswered").querySelector("tbody"),
        data.unanswered.map(function (q) { return row([q.question, q.count, q.last_7_days, q.previous_7_days, arrows[q.trend]]); }));
      $("frequent").querySelector("tbody").replaceChildren.apply($("frequent").querySelector("tbody"),
        data.frequent.map(function (q) { return row([q.question, q.count, q.answered ? "oui" : "aucune", arrows[q.trend]]); }));
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
    ["title", "date", "publisher", "kind", "video_url"].forEach(function (k) { if ($(k).value) meta[k] = $(k).value; });
    data.append("metadata", JSON.stringify(meta));
    say("Envoi…");
    call("POST", "/api/documents", data).then(function () { say("Publication reçue, indexation en cours…"); refresh(); })
      .catch(function (err) { say(err.message); });
  });
  $("questions-csv").addEventListener("click", exportQuestions);
  $("reindex").addEventListener("click", function () {
    call("POST", "/api/reindex").then(refresh).catch(function (err) { say(err.message); });
  });
})();
