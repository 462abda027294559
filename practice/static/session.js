// A warning shortly before an idle sign-out, with a way to stay signed in. Typing counts as
// activity (the worksheet's autosave tells the server); the server decides, this only warns.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.dataset.idleSeconds || "0", 10);
  if (!idle || !window.fetch) return;
  var warnBefore = Math.min(120, Math.floor(idle / 3));
  var timer = null, banner = null;

  function hide() { if (banner) { banner.parentNode.removeChild(banner); banner = null; } }
  function show() {
    if (banner) return;
    banner = document.createElement("div");
    banner.className = "alert alert-info idle-warning";
    banner.setAttribute("role", "alert");
    // The words come from the page (base.html), in its reader's language.
    var words = document.createElement("p");
    words.textContent = (body.dataset.idleWarning ||
      "For your privacy, you will be signed out in about " + Math.round(warnBefore / 60) +
      " minute(s) if nothing happens.") + " ";
    var stay = document.createElement("button");
    stay.type = "button";
    stay.className = "button small";
    stay.textContent = body.dataset.stayLabel || "Stay signed in";
    words.appendChild(stay);
    banner.appendChild(words);
    stay.addEventListener("click", function () {
      fetch(body.dataset.keepAlive, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (r.ok) { hide(); restart(); } });
    });
    var main = document.getElementById("main");
    main.insertBefore(banner, main.firstChild);
  }
  function restart() {
    clearTimeout(timer);
    timer = setTimeout(show, Math.max(1, idle - warnBefore) * 1000);
  }
  document.addEventListener("input", function () { hide(); restart(); });
  restart();
})();
