/*
 * The bulletin's period page (ES5, no dependencies):
 * 1. [data-print] prints the page (the preview is laid out for paper).
 * 2. 生成 Word / 生成 Excel: the file downloads without leaving the page, so the page says
 *    “正在生成” at once and “已生成” when the response arrives: the form sends a token and the
 *    file's response sets it as the bulletin_ready cookie.
 */
(function () {
  "use strict";

  function readyToken() {
    var match = document.cookie.match(/(?:^|;\s*)bulletin_ready=([^;]*)/);
    return match ? match[1] : "";
  }

  document.addEventListener("click", function (evt) {
    var target = evt.target && evt.target.closest ? evt.target.closest("[data-print]") : null;
    if (target) { window.print(); }
  });

  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!form || form.id !== "bulletin-form" || evt.defaultPrevented) { return; }
    var button = evt.submitter;
    var status = document.getElementById("generate-status");
    if (!button || !button.hasAttribute("data-generate") || !status) { return; }
    var label = button.value === "xlsx" ? "Excel 数据表" : "Word 通报";
    var token = String(new Date().getTime()) + String(Math.floor(Math.random() * 1e6));
    form.elements.token.value = token;
    status.textContent = "正在生成" + label + "，请稍候……";
    var waited = 0;
    var timer = window.setInterval(function () {
      waited += 300;
      if (readyToken() === token) {
        window.clearInterval(timer);
        document.cookie = "bulletin_ready=; Max-Age=0; path=/";
        status.textContent = "已生成" + label + "，浏览器已开始下载。";
      } else if (waited > 60000) {
        window.clearInterval(timer);
        status.textContent = "生成时间较长，如未开始下载请刷新页面后重试。";
      }
    }, 300);
  });
}());
