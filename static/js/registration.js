// 企业注册: the enterprise name as an ARIA combobox over the registry's live search.
// Without this script the name, credit code and address are plain editable inputs.
(function () {
  "use strict";

  var input = document.querySelector("[data-registry-search]");
  if (!input) {
    return;
  }
  var form = input.form;
  var code = form.querySelector('[data-registry-fill="credit_code"]');
  var address = form.querySelector('[data-registry-fill="address"]');
  var manual = form.querySelector(".manual-entry");
  var active = -1;
  var picked = false;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", "registry-matches");
  // The browser's own suggestions would cover the list.
  input.setAttribute("autocomplete", "off");

  function list() {
    return document.getElementById("registry-matches");
  }

  function options() {
    var listbox = list();
    return listbox ? Array.prototype.slice.call(listbox.querySelectorAll('[role="option"]')) : [];
  }

  function open() {
    var listbox = list();
    var hasContent = !!listbox && listbox.children.length > 0;
    if (listbox) {
      listbox.hidden = !hasContent;
    }
    input.setAttribute("aria-expanded", hasContent ? "true" : "false");
  }

  function close() {
    var listbox = list();
    if (listbox) {
      listbox.hidden = true;
    }
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var all = options();
    if (!all.length) {
      return;
    }
    active = (index + all.length) % all.length;
    all.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function lock(locked) {
    code.readOnly = locked;
    address.readOnly = locked;
    manual.hidden = !locked;
  }

  function pick(option) {
    input.value = option.getAttribute("data-name");
    code.value = option.getAttribute("data-credit-code");
    address.value = option.getAttribute("data-address") || "";
    picked = true;
    lock(true);
    close();
  }

  // The search endpoint reads q; the field itself is named enterprise_name for the form.
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt === input) {
      event.detail.parameters.q = input.value;
      delete event.detail.parameters.enterprise_name;
    }
  });

  // A new list arrived: show it while the user is still in the field.
  document.addEventListener("htmx:afterSettle", function () {
    var listbox = list();
    if (listbox && !listbox.getAttribute("data-ready")) {
      listbox.setAttribute("data-ready", "1");
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (document.activeElement === input) {
        open();
      } else {
        close();
      }
    }
  });
  list().setAttribute("data-ready", "1");

  input.addEventListener("input", function () {
    if (picked) {
      // A different name: the picked code and address no longer belong to it.
      picked = false;
      code.value = "";
      address.value = "";
      lock(false);
    }
  });

  input.addEventListener("keydown", function (event) {
    var listbox = list();
    var isOpen = listbox && !listbox.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!isOpen) {
        open();
      }
      highlight(event.key === "ArrowDown" ? active + 1 : active - 1);
    } else if (event.key === "Enter" && isOpen && active >= 0) {
      event.preventDefault();
      pick(options()[active]);
    } else if (event.key === "Escape" && isOpen) {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener("blur", function () {
    window.setTimeout(close, 150);
  });

  // Keep the focus in the field while pressing an option, then pick it on click or tap.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest("#registry-matches")) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest('#registry-matches [role="option"]');
    if (option) {
      pick(option);
    }
  });

  form.querySelector("[data-manual-entry]").addEventListener("click", function () {
    picked = false;
    lock(false);
    code.focus();
  });
})();
