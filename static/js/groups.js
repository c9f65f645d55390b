// Build groups: move people between groups (select, or drag and drop) and see the balance and the rules
// re-checked at once. The server evaluates the assignment (POST to data-evaluate-url) and returns the result
// re-rendered, so this file only moves cards and swaps HTML. Without JavaScript the "Check my changes"
// button does the same in a full round trip.
(function () {
  "use strict";
  var form = document.getElementById("groups-form");
  if (!form) return;
  document.documentElement.classList.add("has-js");
  var result = document.getElementById("groups-result");
  var pending = null;

  function evaluate(focusedId) {
    if (pending) pending.abort();
    pending = new AbortController();
    focusedId = focusedId || (document.activeElement && document.activeElement.id);
    form.classList.add("groups-busy");
    fetch(form.dataset.evaluateUrl, {
      method: "POST", body: new FormData(form), signal: pending.signal,
      headers: {"X-Requested-With": "fetch"}, credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    }).then(function (answer) {
      form.classList.remove("groups-busy");
      if (!answer.ok) {
        var check = document.getElementById("groups-check");
        if (check) {
          var messages = [];
          Object.keys(answer.data.errors || {}).forEach(function (k) { messages = messages.concat(answer.data.errors[k]); });
          check.textContent = messages.join(" ");
        }
        return;
      }
      result.innerHTML = answer.data.html;
      if (focusedId) {
        var again = document.getElementById(focusedId);
        if (again) again.focus();
      }
    }).catch(function (error) {
      if (error.name !== "AbortError") form.classList.remove("groups-busy");
    });
  }

  function moveCard(card, sessionId) {
    var list = result.querySelector('ul.members[data-session="' + sessionId + '"]');
    if (list) list.appendChild(card);
  }

  result.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("select[data-assign]")) {
      // Moving the card in the DOM drops the focus; keep it on the select for keyboard users.
      moveCard(target.closest(".member"), target.value);
      target.focus();
      evaluate(target.id);
    } else if (target.matches("input[data-pin]")) {
      evaluate();
    }
  });

  // Drag and drop: dropping a card on a group sets its select, so both ways post the same form.
  var dragged = null;
  result.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".member");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.enrollment);
  });
  result.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    result.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  });
  result.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest(".group-column");
    if (!dragged || !column) return;
    event.preventDefault();
    var list = column.querySelector("ul.members");
    result.querySelectorAll(".drop-target").forEach(function (el) { if (el !== list) el.classList.remove("drop-target"); });
    list.classList.add("drop-target");
  });
  result.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".group-column");
    if (!dragged || !column) return;
    event.preventDefault();
    var select = dragged.querySelector("select[data-assign]");
    var sessionId = column.dataset.session;
    if (select.value !== sessionId) {
      select.value = sessionId;
      moveCard(dragged, sessionId);
      evaluate();
    }
  });
})();
