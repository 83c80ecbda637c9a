// statusd status page: a styled tooltip for the uptime bars and relative
// times. The page is whole without it: each bar has a title, each list of
// bars a summary in words.
(function () {
  "use strict";
  var root = document.documentElement;
  // data-now is when the data last changed: "x ago" is told from the
  // visitor's clock, but never from before that (a clock running late).
  var now = Math.max(Date.now(), Date.parse(root.getAttribute("data-now") || "") || 0);
  var units = [["year", 31536e6], ["month", 2592e6], ["day", 864e5], ["hour", 36e5], ["minute", 6e4]];
  function ago(ms) {
    for (var i = 0; i < units.length; i++) {
      var n = Math.floor(ms / units[i][1]);
      if (n >= 1) return n + " " + units[i][0] + (n > 1 ? "s" : "") + " ago";
    }
    return "just now";
  }
  document.querySelectorAll("time[datetime]").forEach(function (t) {
    var at = Date.parse(t.getAttribute("datetime"));
    if (isNaN(at) || at > now) return; // a future time
    var rel = document.createElement("span");
    rel.className = "rel";
    rel.textContent = " (" + ago(now - at) + ")";
    t.after(rel);
  });
  var tip = document.createElement("div");
  tip.id = "bar-tip";
  tip.className = "tip";
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  document.body.appendChild(tip);
  function show(bar) {
    tip.textContent = bar.getAttribute("aria-label");
    tip.hidden = false;
    var r = bar.getBoundingClientRect(), w = tip.offsetWidth;
    var left = Math.min(Math.max(4, r.left + r.width / 2 - w / 2), root.clientWidth - w - 4);
    tip.style.left = left + window.scrollX + "px";
    tip.style.top = r.bottom + window.scrollY + 6 + "px";
  }
  document.querySelectorAll(".bars li[title]").forEach(function (bar) {
    // The title becomes the bar's name for screen readers and the styled
    // tooltip's text: one tooltip, not the browser's too.
    bar.setAttribute("aria-label", bar.getAttribute("title"));
    bar.removeAttribute("title");
    bar.addEventListener("mouseenter", function () { show(bar); });
    bar.addEventListener("click", function () { show(bar); });
    bar.addEventListener("mouseleave", function () { tip.hidden = true; });
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") tip.hidden = true; });
})();
