// Site behaviour without inline script (the Content-Security-Policy allows only same-origin files).
//  * <select data-autosubmit> submits its form on change;
//  * <span data-poll-url="…" data-poll-bar="id" data-poll-text="id" [data-poll-status="id"] data-poll-format="{processed} / {total}" ({message} too)>
//    polls a progress URL (JSON: status, status_label, processed, total, percent) every second while the
//    status is queued/running, then reloads the page.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });
    document.querySelectorAll("[data-poll-url]").forEach(function (el) {
      var byId = function (name) { return el.dataset[name] ? document.getElementById(el.dataset[name]) : null; };
      var bar = byId("pollBar"), text = byId("pollText"), status = byId("pollStatus");
      var format = el.dataset.pollFormat || "{processed} / {total}";
      (function poll() {
        fetch(el.dataset.pollUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
          if (bar) { bar.style.width = d.percent + "%"; }
          if (text) { text.textContent = format.replace("{processed}", d.processed).replace("{total}", d.total)
            .replace("{message}", d.message || ""); }
          if (status && d.status_label) { status.textContent = d.status_label; }
          if (d.status === "queued" || d.status === "running") { setTimeout(poll, 1000); } else { location.reload(); }
        }).catch(function () { setTimeout(poll, 2000); });
      })();
    });
  });
})();
