/* Before filing: as the officer types the title and description, show the most similar published guidance
   and answered obstacles beside the form (each opens in a new tab). Debounced; the form works without it. */
(function () {
  "use strict";
  var box = document.getElementById("similar-box");
  var form = box && document.querySelector(box.getAttribute("data-form"));
  if (!form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var title = form.querySelector("[name=title]");
  var description = form.querySelector("[name=description]");
  var timer = null;
  var asked = "";

  function fill(kind, items, describe) {
    var section = box.querySelector("[data-kind=" + kind + "]");
    var list = section.querySelector("ul");
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = item.title;
      li.appendChild(link);
      var note = describe(item);
      if (note) {
        var small = document.createElement("span");
        small.className = "text-muted";
        small.textContent = " · " + note;
        li.appendChild(small);
      }
      list.appendChild(li);
    });
    section.hidden = items.length === 0;
    return items.length;
  }

  function show(data) {
    var found = fill("guidance", data.guidance || [], function (g) { return g.published; }) +
      fill("answered", data.answered || [], function (t) { return t.reference; });
    box.hidden = found === 0;
  }

  function ask() {
    var text = (title.value || "").trim() + " " + (description.value || "").trim();
    if (text.trim().length < 8) {
      box.hidden = true;
      return;
    }
    var params = new URLSearchParams({title: title.value.slice(0, 300), description: description.value.slice(0, 2000)});
    var query = params.toString();
    if (query === asked) {
      return;
    }
    asked = query;
    fetch(box.getAttribute("data-url") + "?" + query, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && query === asked) { show(data); } })
      .catch(function () { /* suggestions are a help, never in the way */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 400);
  }

  title.addEventListener("input", later);
  description.addEventListener("input", later);
  later();
}());
