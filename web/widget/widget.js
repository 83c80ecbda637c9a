/* statusd status widget: <script src="https://STATUS-HOST/widget.js" async></script>
   Shows the page's current status and active incidents in a small box that
   links to the status page. No dependencies; it reads widget.json from the
   origin it was loaded from and writes text only (textContent), never HTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) {
    var all = document.getElementsByTagName("script");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/\/widget\.js(\?|#|$)/.test(all[i].src)) { script = all[i]; break; }
    }
  }
  if (!script || !script.src) { return; }
  var source;
  try { source = new URL("widget.json", script.src).href; } catch (e) { return; }

  var colours = { ok: "#2fcc66", degraded: "#f1c40f", partial: "#e67e22", major: "#e74c3c",
    maintenance: "#3498db", nodata: "#95a5a6" };

  function web(url) { return typeof url === "string" && /^https?:\/\//i.test(url); }

  function el(tag, style, text) {
    var e = document.createElement(tag);
    for (var k in style) { if (Object.prototype.hasOwnProperty.call(style, k)) { e.style[k] = style[k]; } }
    if (text !== undefined) { e.textContent = String(text); }
    return e;
  }

  function link(url, style, text) {
    var a = el("a", style, text);
    if (web(url)) { a.href = url; a.target = "_blank"; a.rel = "noopener"; }
    return a;
  }

  function render(data) {
    if (!data || !data.status || !data.page) { return; }
    var host = el("div", { position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000" });
    host.setAttribute("data-statusd-widget", "");
    var root = host.attachShadow ? host.attachShadow({ mode: "closed" }) : host;
    var box = el("div", { font: "13px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif", color: "#222",
      background: "#fff", border: "1px solid #ddd", borderRadius: "8px", boxShadow: "0 2px 8px rgba(0,0,0,.15)",
      padding: "8px 12px", maxWidth: "320px" });
    box.setAttribute("role", "status");
    var head = link(data.page.url, { display: "flex", alignItems: "center", gap: "8px", color: "inherit",
      textDecoration: "none", fontWeight: "600" });
    head.appendChild(el("span", { width: "10px", height: "10px", borderRadius: "50%", flex: "none",
      background: colours[data.status["class"]] || colours.nodata }));
    head.appendChild(el("span", {}, data.status.description || ""));
    box.appendChild(head);
    var items = [].concat(data.incidents || [], data.maintenances || []);
    for (var j = 0; j < items.length && j < 3; j++) {
      box.appendChild(link(items[j].url, { display: "block", color: "#555", marginTop: "4px",
        textDecoration: "none" }, items[j].name + (items[j].status ? " (" + items[j].status + ")" : "")));
    }
    box.appendChild(link(data.page.url, { display: "block", color: "#888", fontSize: "11px", marginTop: "4px" },
      (data.page.name || "Status") + " status page"));
    root.appendChild(box);
    (document.body || document.documentElement).appendChild(host);
  }

  var xhr = new XMLHttpRequest();
  xhr.open("GET", source, true);
  xhr.onload = function () {
    if (xhr.status !== 200) { return; }
    var data;
    try { data = JSON.parse(xhr.responseText); } catch (e) { return; }
    if (document.body) { render(data); } else { document.addEventListener("DOMContentLoaded", function () { render(data); }); }
  };
  xhr.send();
})();
