// The 个人信息保护指引 dialog: the page shows it open without JavaScript; where the browser has
// <dialog>, reopen it as a modal so the page behind is inert until the user chooses.
(function () {
  "use strict";
  function openModal() {
    var dialog = document.getElementById("privacy-dialog");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    dialog.close();
    dialog.showModal();
    // Escape must not dismiss it silently: the user answers 同意 or 不同意.
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", openModal);
  } else {
    openModal();
  }
})();
