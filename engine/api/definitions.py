"""The API of definitions: validate, lint, deploy (with its preview) and migrate running cases
to a new version."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from engine.api.org import Organization
from engine.definitions import registry, version_diff
from engine.definitions.lint import findings as lint_findings
from engine.definitions.lint import lint as lint_files
from engine.definitions.registry import Deployed
from engine.definitions.validation import Checked, SourceFile
from engine.definitions.version_diff import DeployPreview
from engine.errors import (
    EngineError,
    PermissionDenied,
    Problem,
)
from engine.messages import msg
from engine.org import directory, users
from engine.org.users import SYSTEM, Who
from engine.runtime import migration
from engine.runtime.migration import Report as MigrationReport
from engine.storage.schema import (
    ProcessInstance,
    ProcessVersion,
    User,
)
from engine.time.calendar import deadline_functions
from engine.views import ProcessView, VersionSummary

log = logging.getLogger("kuaiban.engine")
UNITS_FILE = "units.csv"  # a process folder's unit directory


class Definitions(Organization):
    """Processes, tables and forms: what designers and operators deploy."""

    def validate(self, files: Sequence[SourceFile],
                 units: directory.Directory | None = None) -> Checked:
        with self.transaction(read_only=True) as session:
            return registry.validate(session, list(files), units)

    def lint(self, files: Sequence[SourceFile],
             units: directory.Directory | None = None) -> list[Problem]:
        """Validation errors and lint warnings of ``files`` together, each once, in file
        then line order; ``Problem.severity`` is "error" (deploy refuses the files) or
        "warning" (valid, probably not meant). Timer dates are checked against the engine's
        clock. ``validate`` stays errors-only (what deploy checks). ``units``: the directory
        the tables' units are checked against (default: the stored one)."""
        with self.transaction(read_only=True) as session:
            checked = registry.validate(session, list(files), units)
            functions = deadline_functions(self._calendar_for(session), self.clock.now)
        warnings = lint_files(files, self.clock.now(), functions)
        return lint_findings(checked.problems, warnings)

    def deploy(self, files: Sequence[SourceFile], user: str | None = None) -> list[Deployed]:
        """Validate and deploy; ``user`` (when given) must be a designer. Without a user this
        is the operator's deploy (CLI, start-up)."""
        hidden = self.search.hidden_fields()
        with self.transaction() as session:
            if user is not None and "designer" not in users.resolve(session, user).roles:
                raise PermissionDenied(msg("deploy.designer_only"))
            deployed = registry.deploy(session, list(files), self.clock.now(), user)
            self.timers.schedule_starts(session, [d.key for d in deployed if d.created])
        if any(d.created for d in deployed):
            self.search.after_deploy(hidden)
        return deployed

    def deploy_preview(self, files: Sequence[SourceFile], user: str) -> list[DeployPreview]:
        """What :meth:`deploy` would do, for a designer to confirm: each process's next version
        and its changes against the latest, found by deploying in a transaction that is then
        rolled back (engine/definitions/version_diff.py). Raises as deploy would."""
        session = self._sessions()
        try:
            if "designer" not in users.resolve(session, user).roles:
                raise PermissionDenied(msg("deploy.designer_only"))
            return version_diff.preview_deploy(session, self.versions, list(files),
                                               self.clock.now(), user)
        finally:
            session.rollback()
            session.close()

    def deploy_directory(self, *folders: Path) -> list[Deployed]:
        """Deploy the diagrams, tables and forms of ``folders``; a folder's unit directory
        (units.csv) is loaded first, so the diagrams' units are checked against it."""
        for folder in folders:
            if (folder / UNITS_FILE).is_file():
                self.import_units((folder / UNITS_FILE).read_text(encoding="utf-8"))
        files = [
            SourceFile(str(p), p.read_text(encoding="utf-8"))
            for folder in folders if folder.is_dir()
            for p in sorted(folder.iterdir())
            if p.suffix in (".bpmn", ".dmn", ".json")
        ]
        return self.deploy(files) if files else []

    def processes(self) -> list[ProcessView]:
        with self.transaction(read_only=True) as session:
            rows = session.execute(select(ProcessVersion).order_by(ProcessVersion.key,
                                                                   ProcessVersion.version))
            latest: dict[str, ProcessVersion] = {}
            for pv in rows.scalars():
                latest[pv.key] = pv
            return [ProcessView(p.key, p.version, p.name, p.start_form_key, p.deployed_at)
                    for p in latest.values()]

    def process_versions(self, key: str) -> list[ProcessView]:
        with self.transaction(read_only=True) as session:
            rows = session.execute(select(ProcessVersion).where(ProcessVersion.key == key)
                                   .order_by(ProcessVersion.version)).scalars()
            return [ProcessView(p.key, p.version, p.name, p.start_form_key, p.deployed_at)
                    for p in rows]

    def version_summaries(self, key: str) -> list[VersionSummary]:
        """Each version of ``key``, oldest first, with its deployer and its running and
        finished cases (empty: no such process)."""
        with self.transaction(read_only=True) as session:
            counts: dict[tuple[int, bool], int] = defaultdict(int)
            for version_id, status, n in session.execute(
                select(ProcessInstance.version_id, ProcessInstance.status, func.count())
                .where(ProcessInstance.process_key == key)
                .group_by(ProcessInstance.version_id, ProcessInstance.status)
            ):
                counts[(version_id, status == "running")] += n
            rows = session.execute(
                select(ProcessVersion, User.display_name)
                .outerjoin(User, User.username == ProcessVersion.deployed_by)
                .where(ProcessVersion.key == key).order_by(ProcessVersion.version))
            return [VersionSummary(p.version, p.name, p.deployed_at, p.deployed_by,
                                   shown or p.deployed_by, counts.get((p.id, True), 0),
                                   counts.get((p.id, False), 0))
                    for p, shown in rows]

    def start_form(self, key: str) -> dict[str, Any] | None:
        with self.transaction(read_only=True) as session:
            version = self.versions.latest(session, key)
            return version.form(version.start_form_key)

    def migrate_instances(self, key: str, to_version: int | None = None,
                          instance_id: int | None = None, dry_run: bool = False,
                          user: Who | None = None,
                          progress: Callable[[migration.Outcome], None] | None = None,
                          from_version: int | None = None) -> MigrationReport:
        """Move running cases of ``key`` to version ``to_version`` (default: the latest):
        one case (``instance_id``) or every running case on another version (on version
        ``from_version`` only, when given). A dry run
        changes nothing and says which cases can move and why others cannot. Each case moves
        in its own transaction, with a "migrated" event. ``user`` (when given) must be a
        designer; without one this is the operator's migration (CLI). ``progress`` is called
        with each case's outcome as it is decided."""
        with self.transaction() as session:
            actor = SYSTEM if user is None else users.resolve(session, user)
            if user is not None and "designer" not in actor.roles:
                raise PermissionDenied(msg("migrate.designer_only"))
            target = migration.target_version(session, self.versions, key, to_version)
            ids = migration.candidates(session, key, target, instance_id, from_version)
        outcomes = []
        for iid in ids:
            try:
                with self.transaction() as session:
                    outcomes.append(migration.migrate(session, self.runtime, iid, target,
                                                      actor, dry_run))
            except EngineError as exc:  # rolled back: this case stays where it was
                with self.transaction() as session:
                    row = session.get(ProcessInstance, iid)
                    old = session.get(ProcessVersion, row.version_id) if row else None
                outcomes.append(migration.Outcome(
                    iid, row.business_key if row else None, old.version if old else 0,
                    target.version, "cannot migrate", [exc.said]))
            if outcomes[-1].status == "migrated":
                log.info("instance %s migrated to %s v%s", iid, key, target.version)
            if progress is not None:
                progress(outcomes[-1])
        return MigrationReport(key, target.version, dry_run, outcomes)
