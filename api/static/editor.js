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
        if ((j.status === "en cours" || j.status === "en attente") && !j.cancel_requested) {
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
        item.appendChild(button); list.appendChild(item);
      });
    });
  }
  var tokenForm = $("token-form");
  if (!tokenForm) return;
  tokenForm.addEventListener("submit", function (e) {
    e.preventDefault();
    token = $("token").value;
    call("GET", "/api/jobs").then(function () {
      $("editor-area").hidden = false; tokenForm.hidden = true; say("Connecté."); refresh();
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
  $("reindex").addEventListener("click", function () {
    call("POST", "/api/reindex").then(refresh).catch(function (err) { say(err.message); });
  });
})();
