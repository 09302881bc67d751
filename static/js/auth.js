// Login, registration and password recovery: the 发送验证码 countdown and the demo-account shortcuts.
(function () {
  "use strict";

  // The server refuses a resend inside the wait anyway; this only shows how long is left.
  function startCountdown(button) {
    var seconds = parseInt(button.getAttribute("data-seconds") || "0", 10);
    if (button.getAttribute("data-counting") || !(seconds > 0)) {
      return;
    }
    button.setAttribute("data-counting", "1");
    var label = button.textContent;
    button.disabled = true;
    (function tick() {
      if (seconds <= 0) {
        button.disabled = false;
        button.textContent = label;
        button.removeAttribute("data-counting");
        return;
      }
      button.textContent = seconds + "秒后重新获取";
      seconds -= 1;
      window.setTimeout(tick, 1000);
    })();
  }

  function scan(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".code-send[data-seconds]"), startCountdown);
    Array.prototype.forEach.call(root.querySelectorAll(".demo-fill"), function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:load", function (event) { scan(event.target); });

  // 演示账号: fill account and password of step 1; the SMS step stays real.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".demo-fill");
    var username = document.getElementById("f-username");
    var password = document.getElementById("f-password");
    if (!button || !username || !password) {
      return;
    }
    username.value = button.getAttribute("data-username");
    password.value = button.getAttribute("data-password");
    password.focus();
  });
})();
