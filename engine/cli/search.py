"""Finding cases: search by text (the cases the user may read) and rebuilding the search
texts (engine/queries/search.py)."""

from __future__ import annotations

import json

import click

from engine.cli.common import handles_errors, open_engine
from engine.queries.search import SearchHit


@click.command()
@click.argument("text")
@click.option("--as", "user", required=True, help="Who searches: only cases they may read.")
@click.option("--limit", type=click.IntRange(1, 50), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@handles_errors
def search(text: str, user: str, limit: int, as_json: bool) -> None:
    """Cases whose number, procedure, names or data contain every word of TEXT, best first."""
    result = open_engine().search.find(text, user, limit)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    for hit in result.hits:
        click.echo(f"#{hit.instance_id}  {hit.business_key or '-'}  {hit.process_name}  "
                   f"{hit.status}  {_marked(hit)}")
    if result.partial:
        click.echo("(words shorter than 3 characters alone: only the newest cases were "
                   "searched; add a longer word)", err=True)
    if result.more:
        click.echo("(more cases match: the most recent ones were ranked; add a word)",
                   err=True)


def _marked(hit: SearchHit) -> str:
    return "".join(f"【{piece}】" if matched else piece for piece, matched in hit.snippet)


@click.command()
@click.option("--process", "process_key", help="Only the cases of this process key.")
@handles_errors
def reindex(process_key: str | None) -> None:
    """Rewrite the search text of every case (after an upgrade that added search, or when
    a form's confidential fields changed)."""
    done = open_engine().search.reindex(process_key)
    click.echo(f"search text rewritten for {done} cases")


COMMANDS = (search, reindex)
