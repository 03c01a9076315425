"""The interactive documentation page: one self-contained HTML file, no external requests.

It loads ``openapi.json`` from beside itself, lists every operation by tag with its parameters,
body and responses, and can send a request ("Try it") with a bearer token that lives only in the
page's memory (never stored). The inline script and style are allowed by their SHA-256 hashes in
the page's Content-Security-Policy; nothing else may run, load or connect anywhere but here.
"""

from __future__ import annotations

import base64
import hashlib

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#111;background:#fafafa}
header{background:#1f2937;color:#fff;padding:12px 20px;display:flex;gap:16px;align-items:center}
header h1{font-size:18px;margin:0}header input{flex:1;max-width:520px;padding:6px}
main{padding:12px 20px;max-width:1100px}h2{margin:24px 0 6px;text-transform:capitalize}
details{background:#fff;border:1px solid #d1d5db;border-radius:6px;margin:6px 0}
summary{cursor:pointer;padding:8px 10px;font-family:ui-monospace,monospace}
.m{display:inline-block;min-width:64px;font-weight:700}.get{color:#1d4ed8}.post{color:#047857}
.patch{color:#b45309}.delete{color:#b91c1c}.lock{color:#6b7280;font-size:12px}
.op{padding:4px 14px 14px}pre{background:#f3f4f6;padding:8px;overflow:auto;max-height:360px}
label{display:block;margin:6px 0 2px;font-size:13px}input,textarea{font:13px ui-monospace,monospace}
textarea{width:100%;min-height:90px}header a{color:#93c5fd}button{margin-top:8px;padding:6px 14px}
"""

SCRIPT = r"""
(function () {
  "use strict";
  var spec = null, token = null;
  var base = new URL("..", location.href);
  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    (kids || []).forEach(function (c) {
      n.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return n;
  }
  function resolve(s) {
    var seen = 0;
    while (s && s.$ref && seen++ < 20) {
      s = s.$ref.split("/").slice(1).reduce(function (o, k) { return o[k]; }, spec);
    }
    return s;
  }
  function expand(s, depth) {
    s = resolve(s);
    if (!s || typeof s !== "object" || depth > 6) { return s; }
    var out = Array.isArray(s) ? [] : {};
    Object.keys(s).forEach(function (k) { out[k] = expand(s[k], depth + 1); });
    return out;
  }
  function skeleton(s, depth) {
    s = resolve(s);
    if (!s || depth > 4) { return null; }
    if (s.anyOf) { return skeleton(s.anyOf[0], depth + 1); }
    if (s.enum) { return s.enum[0]; }
    if (s.type === "object" || s.properties) {
      var o = {};
      Object.keys(s.properties || {}).forEach(function (k) {
        if ((s.required || []).indexOf(k) >= 0) { o[k] = skeleton(s.properties[k], depth + 1); }
      });
      return o;
    }
    if (s.type === "array") { return []; }
    if (s.type === "integer" || s.type === "number") { return s.minimum || 0; }
    if (s.type === "boolean") { return false; }
    return "";
  }
  function pretty(v) { return JSON.stringify(v, null, 2); }
  function operation(path, method, op) {
    var params = op.parameters || [], inputs = {};
    var box = el("div", {"class": "op"}, [el("p", {}, [op.summary || ""])]);
    params.forEach(function (p) {
      var input = el("input", {"placeholder": p.required ? "required" : "optional"});
      inputs[p.name] = [p, input];
      var text = p["in"] + " · " + p.name + (p.description ? " — " + p.description : "");
      box.appendChild(el("label", {}, [text]));
      box.appendChild(input);
    });
    var body = null;
    if (op.requestBody) {
      var schema = op.requestBody.content["application/json"].schema;
      body = el("textarea", {}, [pretty(skeleton(schema, 0))]);
      box.appendChild(el("label", {}, ["JSON body"]));
      box.appendChild(body);
      box.appendChild(el("details", {}, [el("summary", {}, ["body schema"]),
        el("pre", {}, [pretty(expand(schema, 0))])]));
    }
    var codes = "responses: " + Object.keys(op.responses).join(", ");
    box.appendChild(el("details", {}, [el("summary", {}, [codes]),
      el("pre", {}, [pretty(expand(op.responses, 0))])]));
    var result = el("pre", {}, []), send = el("button", {"type": "button"}, ["Try it"]);
    send.addEventListener("click", function () {
      var url = path, query = new URLSearchParams();
      Object.keys(inputs).forEach(function (name) {
        var p = inputs[name][0], v = inputs[name][1].value;
        if (p["in"] === "path") { url = url.replace("{" + name + "}", encodeURIComponent(v)); }
        else if (v !== "") { query.append(name, v); }
      });
      var q = query.toString(), headers = {"Content-Type": "application/json"};
      if (token) { headers.Authorization = "Bearer " + token; }
      var init = {method: method.toUpperCase(), headers: headers, credentials: "omit"};
      if (body) { init.body = body.value; }
      result.textContent = "…";
      fetch(new URL(url.replace(/^\//, "") + (q ? "?" + q : ""), base), init).then(function (r) {
        return r.text().then(function (t) {
          var shown = t; try { shown = pretty(JSON.parse(t)); } catch (e) { /* not JSON */ }
          result.textContent = r.status + " " + r.statusText + "\n" + shown;
        });
      }).catch(function (e) { result.textContent = String(e); });
    });
    box.appendChild(send);
    box.appendChild(result);
    var guarded = (op.security || []).length > 0;
    return el("details", {"id": op.operationId}, [el("summary", {}, [
      el("span", {"class": "m " + method}, [method.toUpperCase()]), path + " ",
      el("span", {"class": "lock"}, [guarded ? "🔒 " + op["x-janus-access"] : "public"])]), box]);
  }
  function render() {
    var main = document.getElementById("ops"), byTag = {};
    Object.keys(spec.paths).forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        var op = spec.paths[path][method], tag = (op.tags || ["other"])[0];
        (byTag[tag] = byTag[tag] || []).push(operation(path, method, op));
      });
    });
    (spec.tags || []).forEach(function (t) {
      if (!byTag[t.name]) { return; }
      main.appendChild(el("h2", {}, [t.name]));
      byTag[t.name].forEach(function (n) { main.appendChild(n); });
    });
    document.getElementById("info").textContent = spec.info.title + " " + spec.info.version;
  }
  document.getElementById("token").addEventListener("change", function (e) {
    token = e.target.value.trim() || null;
  });
  fetch("openapi.json", {credentials: "omit"}).then(function (r) { return r.json(); })
    .then(function (doc) { spec = doc; render(); })
    .catch(function (e) {
      document.getElementById("ops").textContent = "Could not load openapi.json: " + e;
    });
})();
"""

HTML = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Janus API documentation</title>
<style>{STYLE}</style>
</head>
<body>
<header><h1 id="info">Janus API</h1>
<input id="token" type="password" autocomplete="off"
 placeholder="Access token (kept in memory only)">
<a href="openapi.json">openapi.json</a></header>
<main id="ops"></main>
<script>{SCRIPT}</script>
</body>
</html>
"""


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        f"script-src {_hash(SCRIPT)}",
        f"style-src {_hash(STYLE)}",
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
