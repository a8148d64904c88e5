// Polyak dashboard: keeps the server-rendered fragments of a page fresh by polling (no library, nothing fetched
// from elsewhere). Elements with data-src are re-fetched when the runs they show change.
(function () {
  "use strict";
  var body = document.body;
  var note = document.getElementById("live");
  function say(text) { if (note) note.textContent = text; }
  function get(url) {
    return fetch(url, { cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error(url + " answered " + r.status);
      return r;
    });
  }
  function refreshFragments() {
    var els = Array.prototype.slice.call(document.querySelectorAll("[data-src]"));
    return Promise.all(els.map(function (el) {
      return get(el.getAttribute("data-src")).then(function (r) { return r.text(); }).then(function (t) { el.innerHTML = t; });
    }));
  }
  function picked() {
    return Array.prototype.slice.call(document.querySelectorAll("input.pick:checked")).map(function (c) { return c.value; });
  }
  if (body.getAttribute("data-page") === "index") {
    var button = document.getElementById("compare");
    if (button) button.addEventListener("click", function () {
      var ids = picked();
      if (ids.length > 0) location.href = "/compare?" + ids.map(function (id) { return "id=" + encodeURIComponent(id); }).join("&");
    });
    setInterval(function () {
      var keep = picked();
      get("/fragment/runs").then(function (r) { return r.text(); }).then(function (t) {
        document.getElementById("runs").innerHTML = t;
        Array.prototype.forEach.call(document.querySelectorAll("input.pick"), function (c) { c.checked = keep.indexOf(c.value) >= 0; });
        say("updated " + new Date().toLocaleTimeString());
      }).catch(function (e) { say("not updated: " + e.message); });
    }, 2000);
    return;
  }
  if (body.getAttribute("data-page") === "poll") {
    var poll = function () {
      refreshFragments().then(function () { say("updated " + new Date().toLocaleTimeString()); })
        .catch(function (e) { say("not updated: " + e.message); });
    };
    poll();
    setInterval(poll, 2000);
    return;
  }
  var state = body.getAttribute("data-state");
  if (!state) return;
  var last = null, timer = null;
  function tick() {
    get(state).then(function (r) { return r.json(); }).then(function (s) {
      var changed = s.key !== last;
      last = s.key;
      var work = changed ? refreshFragments() : Promise.resolve();
      return work.then(function () {
        say((s.running ? "live, " : "finished, ") + "updated " + new Date().toLocaleTimeString());
        if (!s.running && timer !== null) { clearInterval(timer); timer = null; }
      });
    }).catch(function (e) { say("not updated: " + e.message); });
  }
  timer = setInterval(tick, 1000);
  tick();
})();
