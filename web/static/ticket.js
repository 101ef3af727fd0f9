/* The live ticket page: follows /t/<token>/events (Server-Sent Events) and redraws. */
(function () {
  "use strict";
  var root = document.getElementById("ticket");
  if (!root || !window.EventSource) { return; }
  var url = root.getAttribute("data-stream");
  var lastCall = root.getAttribute("data-call") || "";
  var es = null, timer = null;

  function el(id) { return document.getElementById(id); }
  function set(id, v) { var e = el(id); if (e) { e.textContent = (v === null || v === undefined) ? "" : String(v); } }
  function show(id, on) { var e = el(id); if (e) { e.hidden = !on; } }

  function alertUser() {
    try { if (navigator.vibrate) { navigator.vibrate([400, 150, 400, 150, 400]); } } catch (e) { /* not allowed */ }
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { return; }
      var ctx = new Ctx();
      [0, 0.35, 0.7].forEach(function (t, i) {
        var o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = i === 1 ? 660 : 880;
        g.gain.value = 0.25;
        o.connect(g); g.connect(ctx.destination);
        o.start(ctx.currentTime + t); o.stop(ctx.currentTime + t + 0.25);
      });
    } catch (e) { /* the browser blocks sound until the page was touched */ }
  }

  function render(v) {
    document.body.className = "state-" + v.state;
    set("headline", v.headline);
    set("detail", v.detail);
    if (v.number) { set("number", v.number); }
    var hasProgress = v.ahead !== null && v.ahead !== undefined;
    show("progress", hasProgress);
    if (hasProgress) { set("ahead", v.ahead); set("eta", v.eta); }
    show("offline", v.state === "offline" || !!v.offline);
    if (v.state !== "waiting") { show("notify", false); }
    show("survey", v.state === "done");
    if (v.alert && v.call_id && v.call_id !== lastCall) { lastCall = v.call_id; alertUser(); }
  }

  function connect() {
    es = new EventSource(url);
    es.onmessage = function (m) { try { render(JSON.parse(m.data)); } catch (e) { /* ignore a bad frame */ } };
    es.onopen = function () { show("offline", false); };
    es.onerror = function () {
      show("offline", true);
      if (es.readyState === 2) {  /* closed for good: try again ourselves */
        es.close(); clearTimeout(timer); timer = setTimeout(connect, 5000);
      }
    };
  }
  connect();
}());
