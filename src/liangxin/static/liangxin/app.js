/*
 * 两新组织党建工作调度平台 — small progressive enhancements. No dependencies.
 * Written in ES5 so it also runs in older intranet browsers.
 *
 * 1. [data-confirm="文本"] on a button/link (click) or a <form> (submit) asks
 *    window.confirm(文本) first and cancels the action if the user declines.
 *    Runs in the capture phase, so it also stops htmx-driven requests.
 * 2. Every htmx request gets an X-CSRFToken header, read from
 *    <meta name="csrf-token" content="{{ csrf_token }}">.
 * 3. [data-print] on a button prints the page, [data-back] on a link goes back a page
 *    (no inline onclick or javascript: URL: the CSP forbids them).
 * 4. [data-nav-toggle] opens and closes the navigation on a phone-sized screen.
 * 5. A download that takes a moment — an export or template link (a.btn to …/export…,
 *    ?format=xlsx|csv, or a .xlsx/.csv/.docx file) or any a.btn[data-busy="文本"] — says
 *    正在准备文件… (or its data-busy text) for a few seconds while the server writes the file
 *    (the page stays where it is), and a second click meanwhile is ignored.
 */
(function () {
  "use strict";

  function confirmed(el) {
    var text = el.getAttribute("data-confirm");
    return !text || window.confirm(text);
  }

  function cancel(evt) {
    evt.preventDefault();
    evt.stopImmediatePropagation();
  }

  document.addEventListener("click", function (evt) {
    var target = evt.target;
    if (!target || !target.closest) { return; }
    var el = target.closest("[data-confirm]");
    // Forms are handled on submit, so a click inside a confirming form is not double-asked.
    if (!el || el.tagName === "FORM") { return; }
    if (el.disabled || el.getAttribute("aria-disabled") === "true") { return; }
    if (!confirmed(el)) { cancel(evt); }
  }, true);

  document.addEventListener("click", function (evt) {
    var target = evt.target;
    var el = target && target.closest ? target.closest("[data-print]") : null;
    if (el) { evt.preventDefault(); window.print(); }
    var back = target && target.closest ? target.closest("[data-back]") : null;
    if (back && window.history.length > 1) { evt.preventDefault(); window.history.back(); }
  });

  document.addEventListener("click", function (evt) {
    var target = evt.target;
    var toggle = target && target.closest ? target.closest("[data-nav-toggle]") : null;
    if (!toggle) { return; }
    var open = document.body.classList.toggle("nav-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (form && form.hasAttribute && form.hasAttribute("data-confirm") && !confirmed(form)) {
      cancel(evt);
    }
  }, true);

  var FILE_LINK = /(\/export|[?&]format=(xlsx|csv)|\.(xlsx|csv|docx)($|\?))/;
  var BUSY_SECONDS = 4;

  document.addEventListener("click", function (evt) {
    var target = evt.target;
    var link = target && target.closest ? target.closest("a.btn[href]") : null;
    if (!link || evt.defaultPrevented) { return; }
    if (!link.hasAttribute("data-busy") && !FILE_LINK.test(link.getAttribute("href"))) { return; }
    if (link.getAttribute("aria-busy") === "true") { evt.preventDefault(); return; }
    var label = link.textContent;
    link.setAttribute("aria-busy", "true");
    link.classList.add("is-busy");
    link.textContent = link.getAttribute("data-busy") || "正在准备文件…";
    window.setTimeout(function () {
      link.textContent = label;
      link.removeAttribute("aria-busy");
      link.classList.remove("is-busy");
    }, BUSY_SECONDS * 1000);
  });

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (evt) {
    var token = csrfToken();
    if (token && evt.detail && evt.detail.headers) {
      evt.detail.headers["X-CSRFToken"] = token;
    }
  });
})();
