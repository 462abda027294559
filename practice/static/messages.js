// New messages without a reload: every 25 seconds ask whether the conversation changed (an ETag
// answer of 304 costs almost nothing) and, if it did, show the latest messages. Without
// JavaScript the page works the same with a reload.
(function () {
  "use strict";
  var list = document.getElementById("messages");
  if (!list || !window.fetch) { return; }
  var url = list.getAttribute("data-updates");
  var etag = list.getAttribute("data-etag");
  var latestPage = !/[?&]before=/.test(window.location.search);
  var every = 25000;
  var timer = null;

  function ask() {
    if (!latestPage || document.visibilityState === "hidden") { return schedule(); }
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url + "?seen=1", { headers: headers, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        etag = response.headers.get("ETag") || etag;
        return response.json();
      })
      .then(function (data) {
        if (data && typeof data.html === "string") {
          list.innerHTML = data.html; // rendered and escaped by the server, like the page itself
        }
        schedule();
      })
      .catch(function () { schedule(every * 4); }); // signed out or offline: ask less often
  }

  function schedule(wait) {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, wait || every);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { schedule(1000); }
  });
  schedule();
})();
