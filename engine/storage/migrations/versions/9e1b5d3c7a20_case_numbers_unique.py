"""instances: case_prefix, and each case number once per prefix (uq_instances_case_number)

Cases numbered by their process's sequence get the prefix (read from the BPMN of their
version); a number found twice stops the upgrade with a list of the duplicates, for an
operator to settle before running it again (docs/operations.md).

Revision ID: 9e1b5d3c7a20
Revises: 7c2e4a9d1f3b
Create Date: 2026-12-06 11:00:00.000000

"""
import json
import re
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from lxml import etree

from engine.errors import EngineError

# revision identifiers, used by Alembic.
revision: str = '9e1b5d3c7a20'
down_revision: str | Sequence[str] | None = '7c2e4a9d1f3b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"


def upgrade() -> None:
    """Upgrade schema."""
    bind = op.get_bind()
    op.add_column('instances', sa.Column('case_prefix', sa.String(length=16), nullable=True))
    instances = sa.table('instances', sa.column('id', sa.Integer),
                         sa.column('case_prefix', sa.String))
    numbered = _numbered(bind)
    if numbered:
        bind.execute(instances.update().where(instances.c.id == sa.bindparam('iid'))
                     .values(case_prefix=sa.bindparam('prefix')),
                     [{'iid': i, 'prefix': p} for i, p in numbered.items()])
    _refuse_duplicates(bind)
    # an index, not a table constraint: SQLite would rebuild the table for a constraint
    op.create_index('uq_instances_case_number', 'instances', ['case_prefix', 'business_key'],
                    unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('uq_instances_case_number', table_name='instances')
    # plain ALTER TABLE: a batch operation would rebuild the table, which SQLite refuses while
    # tasks and events refer to its rows
    op.execute('ALTER TABLE instances DROP COLUMN case_prefix')


def _numbered(bind: sa.Connection) -> dict[int, str]:
    """Instance id -> prefix, for cases whose number came from their process's sequence."""
    prefixes = _prefixes(bind)
    out = {}
    rows = bind.execute(sa.text("SELECT id, version_id, business_key FROM instances "
                                "WHERE business_key IS NOT NULL"))
    for iid, version_id, key in rows:
        prefix = prefixes.get(version_id)
        if prefix and re.fullmatch(re.escape(prefix) + r"-\d{4}-\d{6,}", key):
            out[iid] = prefix
    return out


def _prefixes(bind: sa.Connection) -> dict[int, str]:
    """Version id -> the case_prefix of its process (from the deployed BPMN)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    out = {}
    versions = bind.execute(sa.text("SELECT id, key, files FROM process_versions"))
    for version_id, key, files in versions:
        refs = files if isinstance(files, list) else json.loads(files)
        for ref in refs:
            if ref.get('kind') != 'bpmn':
                continue
            content = bind.execute(sa.text("SELECT content FROM definition_files WHERE sha256 = :s"),
                                   {'s': ref['sha256']}).scalar()
            if content is None:
                continue
            root = etree.fromstring(content.encode('utf-8'), parser)
            for process in root.iter(_BPMN + 'process'):
                if process.get('id') != key:
                    continue
                for ext in process.findall(_BPMN + 'extensionElements'):
                    for prop in ext.iter(_CAMUNDA + 'property'):
                        if prop.get('name') == 'case_prefix' and prop.get('value'):
                            out[version_id] = prop.get('value')
    return out


def _refuse_duplicates(bind: sa.Connection) -> None:
    rows = bind.execute(sa.text(
        "SELECT case_prefix, business_key, id, process_key FROM instances WHERE case_prefix IS "
        "NOT NULL AND business_key IN (SELECT business_key FROM instances WHERE case_prefix IS "
        "NOT NULL GROUP BY case_prefix, business_key HAVING COUNT(*) > 1) ORDER BY business_key, id"))
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for prefix, key, iid, process in rows:
        found[(prefix, key)].append(f"#{iid} ({process})")
    found = {k: v for k, v in found.items() if len(v) > 1}
    if found:
        listed = "; ".join(f"{key}: cases {', '.join(cases)}"
                           for (_, key), cases in sorted(found.items()))
        raise EngineError(
            f"cannot make case numbers unique: {len(found)} number(s) are used by more than one "
            f"case ({listed}). Nothing was changed. Decide which case keeps each number, give "
            "the others a new one (docs/operations.md, 'Duplicate case numbers'), then run "
            "`kuaiban migrate` again.")
