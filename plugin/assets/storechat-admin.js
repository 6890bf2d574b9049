// storechat admin panels: small enhancements over pages that work without
// JavaScript. Check-all, filters that apply on change, confirmations, and the
// quick preview dialog.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-check-all]")) {
      var table = target.closest("table");
      if (table) {
        table.querySelectorAll('tbody input[type="checkbox"][name="ids"]').forEach(function (box) {
          box.checked = target.checked;
        });
      }
      return;
    }
    var form = target.closest && target.closest("form[data-autosubmit]");
    if (form && target.type !== "search" && target.type !== "text") {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-preview]");
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
    var dialog = document.querySelector("[data-preview-dialog]");
    if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) return;
    event.preventDefault();
    var body = dialog.querySelector("[data-preview-body]");
    var open = dialog.querySelector("[data-preview-open]");
    if (open) open.setAttribute("href", link.getAttribute("href").replace(/preview\/$/, "change/"));
    body.textContent = "Loading…";
    dialog.showModal();
    var url = link.getAttribute("href") + (link.getAttribute("href").indexOf("?") < 0 ? "?" : "&") + "fragment=1";
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        // The fragment is rendered and escaped by the server.
        body.innerHTML = html;
      })
      .catch(function () {
        body.textContent = "The preview could not be loaded. Open the conversation instead.";
      });
  });

  // Clicking the backdrop closes the preview.
  document.addEventListener("click", function (event) {
    if (event.target.matches && event.target.matches("dialog[data-preview-dialog]")) {
      event.target.close();
    }
  });
})();
