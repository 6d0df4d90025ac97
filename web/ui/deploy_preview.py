"""The modeler's confirmation before a deploy: what each process's new version changes, as
JSON for web/static/js/modeler.js (engine/definitions/version_diff.py finds it)."""

from __future__ import annotations

from typing import Any

from engine import DeployPreview
from web.errors import localized


def preview_json(preview: DeployPreview) -> dict[str, Any]:
    diff = preview.diff
    body: dict[str, Any] = {
        "key": preview.key, "name": preview.name, "version": preview.version,
        "created": preview.created, "first": preview.created and preview.version == 1,
        "diff": None,
    }
    if diff is not None:
        body["diff"] = {
            "added": [_element(e) for e in diff.added],
            "removed": [_element(e) for e in diff.removed],
            "changed": [_element(e) for e in diff.changed],
            "forms_added": diff.forms_added, "forms_removed": diff.forms_removed,
            "forms_changed": sorted(diff.forms_changed),
            "form_changes": {key: [localized(c) for c in changes]  # in the reader's words
                             for key, changes in sorted(diff.forms_changed.items())},
            "decisions_changed": diff.decisions_changed,
            "empty": diff.empty,
        }
    return body


def _element(element: Any) -> dict[str, Any]:
    return {"id": element.id, "kind": element.kind, "name": element.name,
            "changes": [{"what": c.what, "before": c.before, "after": c.after}
                        for c in element.changes]}
