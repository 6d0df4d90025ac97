"""Search: the cases a user may read whose search text (engine/runtime/search_text.py)
contains every word of the query, best first, each with a highlighted snippet.

A word of three characters or more is looked up in the database's trigram index (SQLite FTS5
``trigram``, PostgreSQL ``pg_trgm``): substring matches, Chinese included, no word splitting.
Trigrams cannot find a shorter word (two-character Chinese words are common: 浮梁, 补贴), so
shorter words only narrow what the long ones found; a query of short words alone scans the
newest :data:`SHORT_WINDOW` cases by ``LIKE`` and says so (``partial``).

The cost stays flat however many cases match (a common word may match a tenth of a million
cases): the database walks the matches newest first, keeps those the user may read and stops
at :data:`CANDIDATES`; those are ranked: the exact case number first, then the database's own
score (FTS5 ``bm25``, pg_trgm ``word_similarity``), then the most recently changed.
``more`` says when there were more matches than that (add a word to narrow). Both databases
give the same cases.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.case_refs import as_case_number
from engine.org import users
from engine.org.users import Who
from engine.queries import visibility
from engine.runtime import search_text
from engine.storage.schema import CASE_SEARCH, ProcessInstance
from engine.time.calendar import TZ

if TYPE_CHECKING:
    from engine.api import Engine

TRIGRAM = 3  # the shortest word an index can find
SHORT_WINDOW = 100_000  # newest cases a query of short words alone scans
CANDIDATES = 500  # the newest matches the ranking orders
MAX_QUERY = 200
MAX_WORDS = 8
MAX_LIMIT = 50
_CONTEXT = 30  # characters of the text shown on each side of the first match
_SNAP = 12  # how far an excerpt's edge moves to reach the edge of a value


@dataclass(frozen=True)
class SearchHit:
    instance_id: int
    process_key: str
    process_name: str
    business_key: str | None
    status: str
    updated_at: datetime
    snippet: tuple[tuple[str, bool], ...]  # (text, matched) pieces of one excerpt
    subject: str | None = None  # the case's subject (事由)

    @property
    def snippet_text(self) -> str:
        return "".join(piece for piece, _ in self.snippet)

    @property
    def snippet_html(self) -> str:
        """The excerpt, escaped, its matches in ``<mark>``."""
        return "".join(f"<mark>{html.escape(p)}</mark>" if hit else html.escape(p)
                       for p, hit in self.snippet)

    def as_json(self) -> dict[str, Any]:
        return {"instance_id": self.instance_id, "process_key": self.process_key,
                "process_name": self.process_name, "business_key": self.business_key,
                "status": self.status, "updated_at": self.updated_at.astimezone(TZ).isoformat(),
                "subject": self.subject, "snippet": self.snippet_text,
                "highlight": self.snippet_html}


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[SearchHit]
    partial: bool  # only the newest SHORT_WINDOW cases were searched (short words alone)
    more: bool = False  # more matches than CANDIDATES: the newest of them were ranked

    def as_json(self) -> dict[str, Any]:
        return {"query": self.query, "partial": self.partial, "more": self.more,
                "results": [h.as_json() for h in self.hits]}


def words_of(query: str) -> list[str]:
    """The distinct words of a query (split on white space), the first MAX_WORDS; a case
    number typed without hyphens (ZF2026000003) is looked for as the case writes it."""
    words = [as_case_number(w) for w in query[:MAX_QUERY].split()]
    return list(dict.fromkeys(words))[:MAX_WORDS]


class Search:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._trgm_schema: str | None = None  # where PostgreSQL's pg_trgm lives

    def find(self, query: str, user: Who, limit: int = 20) -> SearchResult:
        words = words_of(query)
        limit = max(1, min(limit, MAX_LIMIT))
        with self._engine.transaction(read_only=True) as session:
            reader = users.resolve(session, user)
            if not words:
                return SearchResult(query, [], False)
            listing = visibility.for_lists(reader, session)
            statement, window = self._candidates(session, words, listing.few)
            found = session.execute(statement.where(listing.condition)
                                    .limit(CANDIDATES)).all()
            exact = as_case_number(query.strip())
            best = sorted(found, key=lambda r: (r.business_key != exact, r.score,
                                                -r.updated_at.timestamp(), -r.id))[:limit]
            texts = session.execute(select(CASE_SEARCH.c.instance_id, CASE_SEARCH.c.body,
                                           CASE_SEARCH.c.subject).where(
                CASE_SEARCH.c.instance_id.in_([r.id for r in best])))
            bodies: dict[int, str] = {}
            subjects: dict[int, str | None] = {}
            for instance_id, body, subject in texts:
                bodies[instance_id], subjects[instance_id] = body, subject
            versions = self._engine.versions
            pattern = re.compile("|".join(re.escape(w) for w in
                                          sorted(words, key=len, reverse=True)), re.IGNORECASE)
            hits = [SearchHit(r.id, r.process_key, versions.get(session, r.version_id).name,
                              r.business_key, r.status, r.updated_at,
                              excerpt(bodies[r.id], pattern), subjects[r.id])
                    for r in best]
        return SearchResult(query, hits, window, len(found) == CANDIDATES)

    def _candidates(self, session: Session, words: list[str], few: bool
                    ) -> tuple[Select[Any], bool]:
        """The newest matching cases with the database's score (lower is better), and
        whether only the newest SHORT_WINDOW cases are searched. ``few``: the reader reads
        few cases, so all their matches are sorted (walking every match newest first to
        find the reader's few would cost as much as there are matches)."""
        newest_first = (ProcessInstance.id + 0 if few else ProcessInstance.id).desc()
        body = CASE_SEARCH.c.body
        columns = (ProcessInstance.id, ProcessInstance.process_key, ProcessInstance.business_key,
                   ProcessInstance.status, ProcessInstance.updated_at, ProcessInstance.version_id)
        long = [w for w in words if len(w) >= TRIGRAM]
        dialect = _dialect(session)
        if dialect == "sqlite" and long:
            fts = table("case_search_fts", column("rowid"), column("rank"))
            match = " AND ".join('"' + w.replace('"', '""') + '"' for w in long)
            statement = (select(*columns, fts.c.rank.label("score"))
                         .join(fts, fts.c.rowid == ProcessInstance.id)
                         .where(text("case_search_fts MATCH :match").bindparams(match=match))
                         .order_by(newest_first if few else fts.c.rowid.desc()))
            narrowing = [w for w in words if w not in long]
            if narrowing:
                statement = statement.join(CASE_SEARCH,
                                           CASE_SEARCH.c.instance_id == ProcessInstance.id)
        else:  # PostgreSQL (its trigram index serves ILIKE), or short words alone
            score = (-self._similarity(session, " ".join(long), body) if long
                     else literal_column("0"))
            statement = (select(*columns, score.label("score"))
                         .join(CASE_SEARCH, CASE_SEARCH.c.instance_id == ProcessInstance.id)
                         .order_by(newest_first))
            narrowing = words
        for word in narrowing:
            statement = statement.where(body.ilike(f"%{_like_escaped(word)}%", escape="\\"))
        if long:
            return statement, False
        newest = session.execute(select(func.max(ProcessInstance.id))).scalar() or 0
        return statement.where(ProcessInstance.id > newest - SHORT_WINDOW), newest > SHORT_WINDOW

    def _similarity(self, session: Session, words: str, body: Any) -> ColumnElement[Any]:
        if self._trgm_schema is None:
            self._trgm_schema = session.execute(text(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")).scalar_one()
        return getattr(func, self._trgm_schema).word_similarity(words, body)

    def hidden_fields(self) -> frozenset[str]:
        """The fields no search text holds (engine/runtime/search_text.py)."""
        with self._engine.transaction(read_only=True) as session:
            return search_text.confidential_everywhere(session, self._engine.versions)

    def after_deploy(self, before: frozenset[str]) -> None:
        """Rewrite every text when a deploy marked a field confidential that was not
        (``before``: the hidden fields before it): it must stop being found at once, in
        older cases too."""
        if self.hidden_fields() - before:
            self.reindex()

    def reindex(self, process_key: str | None = None) -> int:
        """Rewrite every case's search text (of one procedure, when given), a batch per
        transaction; the number of cases done. For cases from before the search text
        existed, and after the confidential fields of a form changed."""
        done, after = 0, 0
        while True:
            with self._engine.transaction() as session:
                batch = search_text.rebuild(session, self._engine.versions, process_key, after)
            if batch is None:
                return done
            count, after = batch
            done += count


def excerpt(body: str, pattern: re.Pattern[str]) -> tuple[tuple[str, bool], ...]:
    """Up to _CONTEXT characters each side of the first match, matches marked. The text is
    one value per line: the excerpt begins and ends at the edge of a value where one is near,
    rather than inside a time or a name."""
    first = pattern.search(body)
    start = 0 if first is None else max(0, first.start() - _CONTEXT)
    end = min(len(body), (0 if first is None else first.end()) + _CONTEXT)
    if start > 0:
        edge = body.find("\n", start, start + _SNAP)
        before = body.rfind("\n", max(0, start - _SNAP), start)
        if first is not None and 0 <= edge < first.start():
            start = edge + 1
        elif before >= 0:
            start = before + 1
    if end < len(body):
        edge = body.rfind("\n", end - _SNAP, end)
        after = body.find("\n", end, end + _SNAP)
        if first is not None and edge >= first.end():
            end = edge
        elif after >= 0:
            end = after
    window = body[start:end].replace("\n", " · ")
    pieces: list[tuple[str, bool]] = [("…", False)] if start > 0 and body[start - 1] != "\n" \
        else [("… · ", False)] if start > 0 else []
    at = 0
    for found in pattern.finditer(window):
        if found.start() > at:
            pieces.append((window[at:found.start()], False))
        pieces.append((found.group(), True))
        at = found.end()
    if at < len(window):
        pieces.append((window[at:], False))
    if end < len(body):
        pieces.append(("…", False) if body[end] != "\n" else (" · …", False))
    return tuple(pieces)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _like_escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
