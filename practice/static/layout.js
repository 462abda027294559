// Two small layout helpers. (1) On a phone the main menu folds behind a Menu button, so the
// header takes one row; without JavaScript the menu simply shows in full. (2) A sticky
// Save/Send bar: the page keeps room for its measured height when it scrolls a focused
// control into view, so keyboard focus is never hidden behind the bar.
(function () {
  "use strict";
  var root = document.documentElement;
  var button = document.getElementById("menu-button");
  var nav = document.getElementById("main-nav");
  if (button && nav) {
    root.classList.add("has-menu-button");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  }
  var bar = document.querySelector(".sticky-actions");
  if (bar) {
    var fit = function () {
      // The bar's height plus a little air; CSSOM writes are allowed by the style-src policy.
      root.style.setProperty("--sticky-bar", Math.ceil(bar.getBoundingClientRect().height) + 16 + "px");
    };
    fit();
    if (window.ResizeObserver) new ResizeObserver(fit).observe(bar);
    else window.addEventListener("resize", fit);
    // Browsers leave a control that is already partly in view where it is, which can leave
    // its lower part under the bar: nudge the page up until the whole control shows.
    // Only for keyboard focus: moving the page under a finger or pointer would make a tap
    // land somewhere else.
    var keyboard = false;
    document.addEventListener("keydown", function () { keyboard = true; }, true);
    document.addEventListener("pointerdown", function () { keyboard = false; }, true);
    document.addEventListener("touchstart", function () { keyboard = false; }, { capture: true, passive: true });
    document.addEventListener("focusin", function (event) {
      if (!keyboard) return;
      var el = event.target;
      if (!el || !el.getBoundingClientRect || bar.contains(el)) return;
      var box = (el.closest && el.closest("label.option")) || el;
      var rect = box.getBoundingClientRect();
      var limit = bar.getBoundingClientRect().top - 8;
      if (rect.bottom > limit) window.scrollBy(0, Math.min(rect.bottom - limit, Math.max(rect.top - 8, 0)));
    });
  }
})();
