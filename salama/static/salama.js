// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]")) el.form.submit();
  });
  // The desk's "add a member" button asks for the next form index and then
  // counts the new form in the formset's TOTAL_FORMS.
  document.addEventListener("htmx:configRequest", function (event) {
    var button = event.detail.elt;
    if (button.id !== "add-member") return;
    var total = document.getElementById(button.dataset.counter);
    event.detail.parameters.index = total.value;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var button = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!button || button.id !== "add-member") return;
    var total = document.getElementById(button.dataset.counter);
    total.value = String(parseInt(total.value, 10) + 1);
    var members = document.querySelectorAll("#members fieldset.member");
    var first = members[members.length - 1].querySelector("input, select");
    if (first) first.focus();
  });
  // Screening pages: a question that depends on another answer on the same
  // page (e.g. "is the work dangerous?" after "does the child work?") is
  // hidden until that answer asks for it. Without script all are shown and
  // the server ignores answers to questions that did not apply.
  function applyConditions(form) {
    form.querySelectorAll("fieldset[data-when-name]").forEach(function (fieldset) {
      var checked = form.querySelector("input[name='q_" + fieldset.dataset.whenName + "']:checked");
      var value = checked ? checked.value : "";
      var equal = value === fieldset.dataset.whenValue;
      fieldset.hidden = fieldset.dataset.whenOp === "eq" ? !equal : equal;
    });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form.screening");
    if (form) applyConditions(form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.screening").forEach(applyConditions);
  });
  // The header's menu is a <details> that CSS shows open on wide screens. Browsers
  // without ::details-content cannot do that in CSS, so it is opened here there.
  var wide = window.matchMedia && window.matchMedia("(min-width: 60rem)");
  var cssOpensMenu = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  function followWidth() {
    var menu = document.querySelector("header details.menu");
    if (menu) menu.open = wide.matches;
  }
  if (wide && !cssOpensMenu) {
    document.addEventListener("DOMContentLoaded", followWidth);
    if (wide.addEventListener) wide.addEventListener("change", followWidth);
  }
  // Escape closes the open menu on a phone and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    var menu = document.querySelector("header details.menu[open]");
    if (event.key !== "Escape" || !menu || (wide && wide.matches)) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });
})();
