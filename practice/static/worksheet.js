// Autosave for worksheets (and session notes): saves a draft a few seconds after typing stops, one save at a time,
// and keeps the words on the page whatever happens (signed out, token expired, a newer save).
(function () {
  "use strict";
  var form = document.getElementById("worksheet") || document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) return;
  var statusEl = document.getElementById("save-status");
  var revision = form.querySelector("input[name=revision]");
  var token = form.querySelector("input[name=csrf_token]");
  var dirty = false, saving = false, stopped = false, signedOut = false;
  // The page's words in its reader's language (the autosave_words macro); English without them.
  var words = {};
  try { words = JSON.parse(document.getElementById("autosave-words").textContent); } catch (e) { words = {}; }
  function w(key, english) { return typeof words[key] === "string" ? words[key] : english; }

  function say(text) { if (statusEl) statusEl.textContent = text; }
  function time() {
    var d = new Date();
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  function banner(html) {
    var box = document.getElementById("autosave-banner");
    if (!box) {
      box = document.createElement("div");
      box.id = "autosave-banner";
      box.className = "alert alert-error";
      box.setAttribute("role", "alert");
      form.parentNode.insertBefore(box, form);
    }
    box.innerHTML = html;
  }
  function clearBanner() {
    var box = document.getElementById("autosave-banner");
    if (box) box.parentNode.removeChild(box);
  }
  function refreshToken() {
    return fetch(form.dataset.tokenUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw r; return r.json(); })
      .then(function (data) {
        form.querySelectorAll("input[name=csrf_token]").forEach(function (el) { el.value = data.token; });
      });
  }
  function save() {
    if (!dirty || saving || stopped) return;
    saving = true;
    dirty = false;
    var body = new FormData(form);
    body.delete("action");
    fetch(form.dataset.autosave, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": token.value }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return [r.status, data]; });
    }).then(function (result) {
      var status = result[0], data = result[1];
      if (status === 200) {
        revision.value = data.revision;
        if (signedOut) { signedOut = false; clearBanner(); }
        say(w("saved", "Draft saved at %(time)s.").replace("%(time)s", time()));
      } else if (status === 401) {
        dirty = true;
        signedOut = true;
        banner(w("signedOut", "<p>You were signed out, but your words are still here on this page. " +
          "<a href=\"" + form.dataset.loginUrl + "\" target=\"_blank\" rel=\"noopener\">Sign in again in a new tab</a>, " +
          "then come back: this page will save by itself.</p>"));
        say(w("waitingSignIn", "Not saved yet: waiting for you to sign in again."));
      } else if (status === 400 && data.error === "csrf") {
        dirty = true;
        return refreshToken();
      } else if (status === 409) {
        stopped = true;
        say("");
        banner("<p></p>");
        // The server's words are text, never markup.
        document.getElementById("autosave-banner").firstChild.textContent =
          (data.message || w("cannotSave", "This can't be saved any more.")) + " " +
          w("stillHere", "What you typed is still on this page; copy anything you need, then reload.");
      } else {
        dirty = true;
        say(w("retrying", "Couldn't save just now; trying again shortly."));
      }
    }).catch(function () {
      dirty = true;
      say(w("unreachable", "Couldn't reach Mend; your words are still here. Trying again shortly."));
    }).then(function () { saving = false; releaseWaiting(); leaveWhenSaved(); });
  }
  // Leaving the page another way (another form on the page, a link) while words are unsaved:
  // save first, then go; if the save fails, stay, so nothing typed is lost.
  var leaving = null;
  function leaveWhenSaved() {
    if (!leaving) return;
    var go = leaving;
    leaving = null;
    if (!dirty && !stopped) go(); else if (!stopped) say(w("stayed", "Not saved yet, so you are still on this page: your words are safe here."));
  }
  document.addEventListener("submit", function (event) {
    var other = event.target;
    if (other === form || !dirty || stopped) return;
    event.preventDefault();
    var submitter = event.submitter || null;
    leaving = function () { if (other.requestSubmit) other.requestSubmit(submitter); else other.submit(); };
    if (!saving) save();
  }, true);
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || !dirty || stopped || event.defaultPrevented || link.target || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    leaving = function () { window.location.href = link.href; };
    if (!saving) save();
  });
  // Pressing a button while an autosave is on its way: wait for it, so the form carries the
  // revision that save produced and is not mistaken for an older window.
  var waitingButton = null;
  form.addEventListener("submit", function (event) {
    if (saving) {
      event.preventDefault();
      waitingButton = event.submitter || null;
      say(w("finishing", "Finishing the last save…"));
      return;
    }
    stopped = true;
  });
  function releaseWaiting() {
    if (!waitingButton) return;
    var button = waitingButton;
    waitingButton = null;
    stopped = true;
    if (form.requestSubmit) form.requestSubmit(button); else button.click();
  }
  form.addEventListener("input", function () { dirty = true; say(w("unsaved", "Unsaved changes…")); });
  form.addEventListener("change", function () { dirty = true; });
  setInterval(save, 4000);
})();
