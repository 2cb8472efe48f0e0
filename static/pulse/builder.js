// Live findings for the survey builder: after a pause in typing, the form is sent to the lint
// endpoint (nothing is saved) and each question's findings are redrawn beside it. Without
// JavaScript the same findings appear after "Save".
(function () {
  "use strict";
  var form = document.getElementById("builder");
  if (!form || !window.fetch) return;
  var url = form.dataset.lintUrl;
  var statusLine = document.getElementById("lint-status");
  var timer = null;
  var sequence = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function render(data) {
    var groups = {};
    (data.findings || []).forEach(function (f) {
      var key = f.question === null ? "-1" : String(f.question);
      (groups[key] = groups[key] || []).push(f);
    });
    form.querySelectorAll("[data-findings-for]").forEach(function (list) {
      list.textContent = "";
      (groups[list.dataset.findingsFor] || []).forEach(function (f) {
        var item = el("li", "finding finding-" + f.severity);
        item.dataset.code = f.code;
        item.appendChild(el("strong", null, f.severity.charAt(0).toUpperCase() + f.severity.slice(1)));
        item.appendChild(document.createTextNode(" "));
        item.appendChild(el("code", null, f.code));
        var where = f.option === null ? "" : " (option " + (f.option + 1) + ")";
        item.appendChild(document.createTextNode(where + ": " + f.message + " "));
        item.appendChild(el("span", "suggestion", f.suggestion));
        if (f.fix && f.fix_label && f.question !== null) {
          var button = el("button", "small secondary", f.fix_label);
          button.type = "submit";
          button.name = "action";
          button.value = "fix:" + f.fix + ":" + f.question;
          item.appendChild(document.createTextNode(" "));
          item.appendChild(button);
        }
        list.appendChild(item);
      });
    });
    var notes = form.querySelector("[data-notes]");
    if (notes) notes.textContent = (data.notes || []).join(" ");
    var problems = Object.keys(data.problems || {});
    statusLine.textContent = problems.length
      ? "Not a complete survey yet: " + problems.map(function (k) { return k + " " + data.problems[k]; }).join("; ")
      : (data.findings || []).length + " finding(s), checked as you type";
  }

  function check() {
    var mine = ++sequence;
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                 headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (mine === sequence) render(data); })
      .catch(function () { statusLine.textContent = "Could not check the survey just now."; });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 50);
  });
})();
