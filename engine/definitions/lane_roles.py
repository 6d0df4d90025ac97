"""The roles each deployed procedure's lanes name, by process key: who has a part in a
procedure (engine/queries/visibility.py lets a supervising role read the cases of the
procedures it has a lane in). Read from the newest deployed text of every BPMN file, each
text parsed once (a text never changes under its digest)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from engine.definitions import xmlsafe
from engine.definitions.registry import ReadOff, latest_digests
from engine.org.roles import role_for_lane


def procedures_with_lanes(session: Session, roles: Collection[str]) -> frozenset[str]:
    """The keys of the deployed procedures one of whose lanes stands for one of ``roles``."""
    wanted = set(roles)
    if not wanted:
        return frozenset()
    found: set[str] = set()
    for digest in latest_digests(session, "bpmn").values():
        found |= {key for key, named in _LANES.of(session, digest).items() if named & wanted}
    return frozenset(found)


def _lanes_of(text: str, digest: str) -> dict[str, frozenset[str]]:
    """Process key -> the roles its lanes name."""
    tree = xmlsafe.parse(text.encode("utf-8"), digest)
    lanes: dict[str, frozenset[str]] = {}
    for process in tree.getroot().iter("{*}process"):
        named = (role_for_lane(lane.get("name")) for lane in process.iter("{*}lane"))
        lanes[process.get("id") or ""] = frozenset(r.id for r in named if r is not None)
    return lanes


_LANES = ReadOff(_lanes_of)
