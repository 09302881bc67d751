// Small behaviours that must not live inline (the Content-Security-Policy forbids inline script).
(function () {
  "use strict";

  // Toasts disappear after a while; the message is also in the aria-live region while shown.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "toast") {
      window.setTimeout(function () { event.detail.target.innerHTML = ""; }, 6000);
    }
  });

  // A network failure during an HTMX request should not be silent.
  document.addEventListener("htmx:sendError", function () {
    var toast = document.getElementById("toast");
    if (toast) {
      toast.innerHTML = "";
      var box = document.createElement("div");
      box.className = "toast toast-error";
      box.setAttribute("role", "alert");
      box.textContent = "网络连接失败，请检查网络后重试。";
      toast.appendChild(box);
    }
  });
})();
