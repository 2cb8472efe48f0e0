// Polls an import's progress and updates the bar; reloads once when it finishes so the
// refused rows appear. Without JavaScript the page refreshes itself (see <noscript>).
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.dataset.finished === "true") return;
  var url = box.dataset.progressUrl;
  var bar = document.getElementById("import-bar");
  var statusLine = document.getElementById("import-status");

  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    var text = data.status_label;
    if (data.total_rows) text += " — " + data.processed_rows + " of " + data.total_rows + " rows";
    statusLine.textContent = text;
    ["created", "updated", "failed"].forEach(function (key) {
      var cell = box.querySelector('[data-count="' + key + '"]');
      if (cell) cell.textContent = data[key];
    });
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        show(data);
        if (data.finished) { window.location.reload(); } else { setTimeout(poll, 700); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
