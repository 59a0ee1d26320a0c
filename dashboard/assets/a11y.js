/* Accessibility fixes for markup Dash 4's own components render (loaded from /dashboard/assets/, CSP 'self').
 *
 * - The page's language: <html lang> follows the language the dashboard shows (its "shell-lang" store).
 * - dcc.Dropdown: its keyboard focus target is an <input aria-hidden="true" tabindex="0">: a control reached
 *   by the keyboard yet hidden from screen readers. It keeps its focus (that is how the keyboard opens the
 *   list) and gets the name of the dropdown's label and value instead of aria-hidden.
 * - A clearable dropdown's clear "x" (an <a> without href in the button) is hidden from screen readers.
 * - dcc.RadioItems / dcc.Checklist: a role="listbox" whose role="option" labels hold real radio buttons or
 *   checkboxes (interactive controls nested in options). The native inputs already say everything: the
 *   container becomes a named radiogroup/group and the labels lose the option roles.
 * - dcc.Upload: its file input is named by the drop zone's words.
 */
(function () {
  "use strict";

  function pageLang() {
    try {
      var v = JSON.parse(window.localStorage.getItem("shell-lang") || '"ko"');
      return v === "en" ? "en" : "ko";
    } catch (e) {
      return "ko";
    }
  }

  function labelFor(id) {
    if (!id) { return null; }
    var all = document.querySelectorAll("label[for]");
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute("for") === id) { return all[i]; }
    }
    return null;
  }

  function fixDropdown(target) {
    var button = target.parentElement && target.parentElement.querySelector("button.dash-dropdown");
    if (!button) { return; }
    var label = labelFor(button.id);
    var value = button.textContent.trim();
    var name = (label ? label.textContent.trim() + ": " : "") + value;
    // An empty dropdown's button names itself by empty value spans: name it by its label instead.
    var named = (button.getAttribute("aria-labelledby") || "").split(" ").some(function (id) {
      var el = id && document.getElementById(id);
      return el && el.textContent.trim();
    });
    if (!named) {
      var fallback = (label ? label.textContent.trim() : "") || value || (pageLang() === "en" ? "Choose" : "선택");
      button.removeAttribute("aria-labelledby");
      if (button.getAttribute("aria-label") !== fallback) { button.setAttribute("aria-label", fallback); }
      if (!name.trim()) { name = fallback; }
    }
    target.removeAttribute("aria-hidden");
    if (target.getAttribute("aria-label") !== name) { target.setAttribute("aria-label", name); }
    target.setAttribute("aria-haspopup", "listbox");
  }

  function fixOptions(list) {
    var radio = list.classList.contains("dash-radioitems");
    if (list.getAttribute("role") !== (radio ? "radiogroup" : "group")) {
      list.setAttribute("role", radio ? "radiogroup" : "group");
    }
    var label = labelFor(list.id);
    if (label) {
      if (!label.id) { label.id = list.id + "-label"; }
      list.setAttribute("aria-labelledby", label.id);
    }
    var options = list.querySelectorAll("[role='option'], [aria-selected]");
    for (var i = 0; i < options.length; i++) {
      options[i].removeAttribute("role");
      options[i].removeAttribute("aria-selected");
    }
  }

  function fixAll() {
    var lang = pageLang();
    if (document.documentElement.getAttribute("lang") !== lang) { document.documentElement.setAttribute("lang", lang); }
    var targets = document.querySelectorAll(".dash-dropdown-focus-target");
    for (var i = 0; i < targets.length; i++) { fixDropdown(targets[i]); }
    // The clear "x" of a clearable dropdown is an <a> without href inside the dropdown's button: a name on
    // an element that has no role. It is not focusable; the button already names the value, so hide it.
    var clears = document.querySelectorAll("a.dash-dropdown-clear:not([href])");
    for (var c = 0; c < clears.length; c++) {
      clears[c].removeAttribute("aria-label");
      clears[c].setAttribute("aria-hidden", "true");
    }
    var lists = document.querySelectorAll(".dash-options-list");
    for (var j = 0; j < lists.length; j++) { fixOptions(lists[j]); }
    // dcc.Upload's own file <input> has no label: it takes the words of its drop zone ("파일을 끌어다 놓거나…").
    var files = document.querySelectorAll("input[type='file']:not([aria-label])");
    for (var f = 0; f < files.length; f++) {
      var zone = files[f].parentElement;
      var words = zone ? zone.textContent.trim() : "";
      if (words) { files[f].setAttribute("aria-label", words); }
    }
  }

  var queued = false;
  function schedule() {
    if (queued) { return; }
    queued = true;
    window.requestAnimationFrame(function () { queued = false; fixAll(); });
  }

  function start() {
    fixAll();
    new MutationObserver(schedule).observe(document.body, {
      childList: true, subtree: true, attributes: true,
      attributeFilter: ["aria-hidden", "role", "aria-selected", "class"]
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
