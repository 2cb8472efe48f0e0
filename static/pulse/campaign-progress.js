// Polls a launched campaign's counts and updates the tables in place while waves go out.
// Without JavaScript the page refreshes itself (see <noscript>).
(function () {
  "use strict";
  var box = document.getElementById("campaign-progress");
  if (!box || box.dataset.sending !== "true") return;
  var url = box.dataset.progressUrl;

  function fill(row, values) {
    if (!row) return;
    Object.keys(values).forEach(function (key) {
      var cell = row.querySelector('[data-key="' + key + '"]');
      if (cell) cell.textContent = values[key];
    });
  }

  function show(data) {
    data.waves.forEach(function (w) {
      fill(box.querySelector('[data-wave="' + w.number + '"]'), w);
    });
    data.channels.forEach(function (c) {
      var rate = c.rate === null ? "—" : c.rate + " %";
      fill(box.querySelector('[data-channel="' + c.channel + '"]'),
           { sent: c.sent, answered: c.answered, rate: rate });
    });
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        show(data);
        setTimeout(poll, data.sending ? 2000 : 15000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
