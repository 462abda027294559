// A page waiting for something (a report being printed) looks again every few seconds and
// swaps in the new status, in place: no reload, so focus, scrolling and what a screen reader
// is reading stay put (a <meta refresh> reloads the whole page under the reader). Without
// JavaScript the page offers a "Look again" link.
(function () {
  "use strict";
  var box = document.querySelector("[data-look-again]");
  if (!box) return;
  var seconds = parseInt(box.getAttribute("data-look-again"), 10) || 5;
  function look() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { setTimeout(look, seconds * 1000); return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(box.id);
        if (!fresh) return;
        box.innerHTML = fresh.innerHTML;
        if (fresh.hasAttribute("data-look-again")) setTimeout(look, seconds * 1000);
        else box.removeAttribute("data-look-again");
      })
      .catch(function () { setTimeout(look, seconds * 1000); });
  }
  setTimeout(look, seconds * 1000);
})();
