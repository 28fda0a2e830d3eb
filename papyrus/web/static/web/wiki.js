// Papyrus in the browser: the editor's Write/Preview tabs and the page's live socket.
// No inline script anywhere: everything attaches here.
(function () {
  "use strict";

  function tabs(root) {
    root.querySelectorAll(".tabs .tab").forEach(function (tab) {
      tab.addEventListener("click", function () {
        root.querySelectorAll(".tabs .tab").forEach(function (other) {
          var on = other === tab;
          other.setAttribute("aria-pressed", on ? "true" : "false");
          document.getElementById(other.getAttribute("aria-controls")).hidden = !on;
        });
      });
    });
  }

  // /ws/pages/<id>/: presence (who else is here) and a notice when someone saves the page.
  function live(box) {
    var me = box.dataset.me, users = {}, presence = document.getElementById("presence");
    var notice = document.getElementById("changed-notice");
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + box.dataset.wsPath;
    var socket = new WebSocket(url);

    function render() {
      var names = Object.keys(users).filter(function (id) { return id !== me; })
        .map(function (id) { return users[id]; }).sort();
      presence.textContent = names.length ? "Also viewing: " + names.join(", ") : "";
    }
    function show(message) {
      notice.querySelector(".message").textContent = message;
      notice.hidden = false;
    }
    socket.addEventListener("message", function (e) {
      var event = JSON.parse(e.data);
      if (event.type === "presence.list") {
        users = {};
        event.users.forEach(function (u) { users[String(u.id)] = u.name; });
      } else if (event.type === "presence.join") {
        users[String(event.user.id)] = event.user.name;
      } else if (event.type === "presence.leave") {
        delete users[String(event.user.id)];
      } else if (event.type === "page.updated") {
        show("Someone changed this page.");
      } else if (event.type === "page.deleted") {
        show("This page was deleted.");
      }
      render();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tabs(document);
    var box = document.getElementById("live");
    if (box) { live(box); }
    // Results as you type close with Escape.
    var q = document.getElementById("search-q");
    if (q) {
      q.addEventListener("keydown", function (e) {
        if (e.key === "Escape") { document.getElementById("search-results").innerHTML = ""; }
      });
    }
  });
})();
