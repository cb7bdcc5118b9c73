/* Switchboard's progressive enhancements. Every page works without this file: it only moves
   focus to where it helps, asks before destructive actions, tidies the directory's live
   filtering (driven by htmx) and closes the navigation's menus sensibly. No inline scripts
   anywhere, so a strict CSP can forbid them. */
(function () {
  "use strict";

  var FIELD_SELECTOR = "input:not([type=hidden]), select, textarea";

  // After a failed submission, start keyboard and screen reader users at the list of errors.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // On narrow screens the directory's filters start folded, unless some are in use.
  function foldFiltersOnNarrowScreens() {
    var panel = document.querySelector("details[data-fold-when-narrow]");
    if (!panel || panel.hasAttribute("data-filters-active")) {
      return;
    }
    if (window.matchMedia("(max-width: 55.99em)").matches) {
      panel.open = false;
    }
  }

  // An error summary's links focus the field itself, not just scroll to it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    var field = target.matches(FIELD_SELECTOR) ? target : target.querySelector(FIELD_SELECTOR);
    if (!field) {
      return;
    }
    event.preventDefault();
    var container = field.closest(".field") || field;
    container.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });

  // Forms and submit buttons marked data-confirm="question" ask before they submit.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question =
      (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Leave empty filters out of htmx requests, so the address bar shows a short, shareable URL.
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (!detail.elt.hasAttribute("data-drop-empty-params") || !detail.formData) {
      return;
    }
    var empty = [];
    detail.formData.forEach(function (value, name) {
      if (value === "" || (name === "remote_ok" && value === "unknown")) {
        empty.push(name);
      }
    });
    empty.forEach(function (name) {
      detail.formData.delete(name);
    });
  });

  // Tell assistive technology the results are loading. A pagination link is swapped away with
  // the old results, so remember where focus should land (the results heading) before it goes.
  var focusAfterSwap = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target) {
      target.setAttribute("aria-busy", "true");
    }
    focusAfterSwap = event.detail.elt.getAttribute("data-focus-after-swap");
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target) {
      target.removeAttribute("aria-busy");
    }
    if (focusAfterSwap) {
      var heading = document.querySelector(focusAfterSwap);
      focusAfterSwap = null;
      if (heading) {
        heading.focus();
        heading.scrollIntoView({ block: "start" });
      }
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    focusAfterSwap = null;
    var target = event.detail.target;
    if (target) {
      target.removeAttribute("aria-busy");
    }
  });

  // The navigation's menus are <details> and work without this. It closes them sensibly: one
  // group open at a time (for browsers that ignore <details name>), Escape closes the innermost
  // open one and returns focus to its button, a click elsewhere closes them all.
  var NAV_MENUS = ".site-nav details";

  function openNavMenus() {
    return Array.prototype.slice.call(document.querySelectorAll(NAV_MENUS + "[open]"));
  }

  document.addEventListener(
    "toggle",
    function (event) {
      var opened = event.target;
      if (!opened.matches || !opened.matches("[data-nav-group]") || !opened.open) {
        return;
      }
      openNavMenus().forEach(function (other) {
        if (other !== opened && other.matches("[data-nav-group]")) {
          other.open = false;
        }
      });
    },
    true
  );

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = openNavMenus().filter(function (menu) {
      // The menu is always open on wide screens (its button hidden): leave it be.
      return menu.querySelector("summary").offsetParent !== null;
    });
    var innermost = open[open.length - 1];
    if (innermost) {
      innermost.open = false;
      innermost.querySelector("summary").focus();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest(".site-nav")) {
      return;
    }
    openNavMenus().forEach(function (menu) {
      if (menu.querySelector("summary").offsetParent !== null) {
        menu.open = false;
      }
    });
  });

  // Browsers without ::details-content cannot show the closed menu's links on wide screens;
  // open it for them (its button stays, so it can still be closed).
  function openMenuOnWideScreens() {
    var menu = document.querySelector("[data-nav-menu]");
    var supported = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
    if (menu && !supported && window.matchMedia("(min-width: 48em)").matches) {
      menu.open = true;
    }
  }

  function start() {
    focusErrorSummary();
    foldFiltersOnNarrowScreens();
    openMenuOnWideScreens();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
