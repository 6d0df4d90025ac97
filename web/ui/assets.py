"""Front-end packages from npm (package.json at the repository root), served from
node_modules as installed by scripts/setup-frontend; never copied into the repository. And
/favicon.ico, which browsers ask for on pages that link no icon."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from werkzeug.wrappers import Response

ROOT = Path(__file__).resolve().parents[2]
bp = Blueprint("assets", __name__)

# package -> folder inside the package that may be served
PACKAGES = {"bpmn-js": "dist", "echarts": "dist"}


def node_modules() -> Path:
    configured = current_app.config.get("KUAIBAN_NODE_MODULES") or os.environ.get(
        "KUAIBAN_NODE_MODULES")
    return Path(configured) if configured else ROOT / "node_modules"


def viewer_installed() -> bool:
    return (node_modules() / "bpmn-js" / "dist" / "bpmn-navigated-viewer.production.min.js"
            ).is_file()


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str) -> Response:
    folder = PACKAGES.get(package)
    if folder is None:
        abort(404)
    response = send_from_directory(node_modules() / package / folder, filename,
                                   max_age=3600)
    return response


@bp.get("/favicon.ico")
def favicon() -> Response:
    return send_from_directory(ROOT / "web" / "static", "favicon.svg",
                               mimetype="image/svg+xml", max_age=86400)
