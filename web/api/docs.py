"""GET /openapi.json and GET /docs: the OpenAPI document, and a plain HTML page made from it
(no CDN, no JavaScript)."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Response, jsonify
from markupsafe import Markup, escape

from web.api.blueprint import bp
from web.api.openapi import OPENAPI

_METHODS = ("get", "post", "put", "patch", "delete")
_STYLE = """
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.5rem}
h3{margin-bottom:.3rem}code,pre{font-family:ui-monospace,Consolas,monospace;font-size:.9em}
.method{display:inline-block;min-width:3.5rem;font-weight:bold}
.get{color:#0b6e2e}.post{color:#0b4f9e}
table{border-collapse:collapse;margin:.4rem 0 1rem}
td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
.public{color:#8a5a00}pre{background:#f5f5f5;padding:.5rem;overflow-x:auto}
"""


@bp.route("/openapi.json", methods=["GET"])
def openapi_json() -> Response:
    return jsonify(OPENAPI)


@bp.route("/docs", methods=["GET"])
def docs() -> Response:
    return Response(render(OPENAPI), mimetype="text/html")


def render(doc: dict[str, Any]) -> str:
    info, base = doc["info"], doc["servers"][0]["url"]
    parts = [
        "<!doctype html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{escape(info['title'])}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(info['title'])} <small>v{escape(info['version'])}</small></h1>",
        f"<p>{_text(info['description'])}</p>",
        f"<p>Base URL: <code>{escape(base)}</code>. Machine-readable: "
        f'<a href="{escape(base)}/openapi.json"><code>openapi.json</code></a> (OpenAPI '
        f"{escape(doc['openapi'])}).</p>",
        "<h2>Endpoints</h2><ul>",
    ]
    operations = [(path, method, op) for path, item in doc["paths"].items()
                  for method, op in item.items() if method in _METHODS]
    parts += [f'<li><a href="#{_anchor(m, p)}"><span class="method {m}">{m.upper()}</span>'
              f"<code>{escape(p)}</code></a> — {escape(op.get('summary', ''))}</li>"
              for p, m, op in operations]
    parts.append("</ul>")
    parts += [_operation(base, path, method, op) for path, method, op in operations]
    parts.append("<h2>Schemas</h2>")
    for name, schema in doc["components"]["schemas"].items():
        parts.append(f'<h3 id="schema-{escape(name)}">{escape(name)}</h3>')
        parts.append(_schema(schema))
    parts.append("</body></html>")
    return "\n".join(parts)


def _operation(base: str, path: str, method: str, op: dict[str, Any]) -> str:
    out = [f'<h3 id="{_anchor(method, path)}"><span class="method {method}">{method.upper()}'
           f"</span> <code>{escape(base + path)}</code></h3>",
           f"<p><strong>{escape(op.get('summary', ''))}</strong>"]
    if "description" in op:
        out.append(f" {_text(op['description'])}")
    out.append("</p>")
    if op.get("security") == []:
        out.append('<p class="public">No token needed.</p>')
    else:
        out.append("<p>Needs <code>Authorization: Bearer TOKEN</code>.</p>")
    if op.get("parameters"):
        out.append("<table><tr><th>parameter</th><th>in</th><th>type</th><th>meaning</th></tr>")
        out += [f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
                f"<td>{_type(p['schema'])}</td><td>{_text(p.get('description', ''))}</td></tr>"
                for p in op["parameters"]]
        out.append("</table>")
    if "requestBody" in op:
        body = op["requestBody"]
        for media, content in body["content"].items():
            need = "required" if body.get("required") else "optional"
            out.append(f"<p>Request body ({need}, <code>{escape(media)}</code>): "
                       f"{_type(content['schema'])}</p>")
    out.append("<table><tr><th>status</th><th>meaning</th><th>body</th></tr>")
    for status, response in op["responses"].items():
        if "$ref" in response:
            response = OPENAPI["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
        contents: list[dict[str, Any]] = list(response.get("content", {}).values())
        schema = contents[0].get("schema") if contents else None
        out.append(f"<tr><td>{escape(status)}</td><td>{_text(response['description'])}</td>"
                   f"<td>{_type(schema) if schema else ''}</td></tr>")
    out.append("</table>")
    return "\n".join(out)


def _schema(schema: dict[str, Any]) -> str:
    out = [f"<p>{_text(schema['description'])}</p>"] if "description" in schema else []
    parts = schema.get("allOf", [schema])
    rows = []
    for part in parts:
        if "$ref" in part:
            out.append(f"<p>Everything in {_type(part)}, and:</p>")
            continue
        required = set(part.get("required", []))
        for name, prop in part.get("properties", {}).items():
            rows.append(f"<tr><td><code>{escape(name)}</code></td><td>{_type(prop)}</td>"
                        f"<td>{'yes' if name in required else ''}</td>"
                        f"<td>{_text(prop.get('description', ''))}</td></tr>")
    if rows:
        out.append("<table><tr><th>field</th><th>type</th><th>required</th><th>meaning</th>"
                   "</tr>" + "".join(rows) + "</table>")
    if schema.get("additionalProperties") is False:
        out.append("<p>No other fields are accepted.</p>")
    return "\n".join(out)


def _type(schema: dict[str, Any]) -> Markup:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return Markup('<a href="#schema-{0}">{0}</a>').format(name)
    if "oneOf" in schema:
        return Markup(" | ").join(_type(s) for s in schema["oneOf"])
    if "const" in schema:
        return Markup("<code>{}</code>").format(json.dumps(schema["const"]))
    kind = schema.get("type", "any")
    text = " | ".join(kind) if isinstance(kind, list) else kind
    result = escape(text)
    if kind == "array" and "items" in schema:
        result = Markup("array of ") + _type(schema["items"])
    if kind == "object" and isinstance(schema.get("properties"), dict):
        result = Markup("object (<code>{}</code>)").format(json.dumps(schema, ensure_ascii=False))
    if "format" in schema:
        result += Markup(" ({})").format(schema["format"])
    if "enum" in schema:
        result += Markup(": ") + Markup(", ").join(
            Markup("<code>{}</code>").format(v) for v in schema["enum"])
    return result


def _text(text: str) -> Markup:
    """Escaped text with `code` spans."""
    pieces = str(escape(text)).split("`")
    return Markup("".join(p if i % 2 == 0 else f"<code>{p}</code>"
                          for i, p in enumerate(pieces)))


def _anchor(method: str, path: str) -> str:
    return method + "-" + re.sub(r"[^0-9A-Za-z]+", "-", path).strip("-")
