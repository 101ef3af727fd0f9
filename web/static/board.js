/* The phone hall board: follows /papan/events and redraws the latest calls and the counters. */
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root || !window.EventSource) { return; }
  var calls = document.getElementById("calls");
  var counters = document.getElementById("counters");
  var es = null, timer = null;

  function span(cls, text) { var s = document.createElement("span"); s.className = cls; s.textContent = text; return s; }

  function render(b) {
    var off = document.getElementById("offline");
    if (off) { off.hidden = b.state !== "offline"; }
    calls.textContent = "";
    if (!b.calls.length) {
      var none = document.createElement("li"); none.className = "none"; none.textContent = calls.getAttribute("data-none");
      calls.appendChild(none);
    }
    var label = calls.getAttribute("data-counter");
    b.calls.forEach(function (c) {
      var li = document.createElement("li");
      li.appendChild(span("num", c.number));
      li.appendChild(span("to", label.replace("{counter}", c.counter)));
      li.appendChild(span("at", c.at));
      calls.appendChild(li);
    });
    counters.textContent = "";
    b.counters.forEach(function (c) {
      var li = document.createElement("li"); li.className = "c-" + c.status;
      li.appendChild(span("code", label.replace("{counter}", c.code))); li.appendChild(span("num", c.number)); li.appendChild(span("st", c.label));
      counters.appendChild(li);
    });
    var up = document.getElementById("updated"); if (up) { up.textContent = b.updated; }
  }

  function connect() {
    es = new EventSource(root.getAttribute("data-stream"));
    es.onmessage = function (m) { try { render(JSON.parse(m.data)); } catch (e) { /* ignore */ } };
    es.onerror = function () {
      var off = document.getElementById("offline"); if (off) { off.hidden = false; }
      if (es.readyState === 2) { es.close(); clearTimeout(timer); timer = setTimeout(connect, 5000); }
    };
  }
  connect();
}());
