"""What every command shares: opening the engine, JSON options, and turning errors into one
clear line on stderr."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from engine.api import Engine
from engine.errors import EngineError, InvalidData, ValidationFailed
from engine.messages import Msg

F = TypeVar("F", bound=Callable[..., Any])
LANGUAGE = "KUAIBAN_CLI_LANGUAGE"  # en (default) or zh: the language of refusals


def fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def said(message: Msg) -> str:
    """``message`` in the command line's language: English, or Chinese with
    KUAIBAN_CLI_LANGUAGE=zh."""
    return message.render("zh" if os.environ.get(LANGUAGE, "").lower().startswith("zh")
                          else "en")


def handles_errors(func: F) -> F:
    """Engine errors become one clear line on stderr and exit 1, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationFailed as exc:
            for p in exc.problems:
                click.echo(f"{p.file}:{p.line or 0}: {p.element or '-'}: {said(p.said)}", err=True)
            sys.exit(1)
        except InvalidData as exc:
            click.echo(f"error: {said(exc.said)}", err=True)
            for field, message in exc.field_said.items():
                if message != exc.said:  # a refusal about one field says it once
                    click.echo(f"  {field}: {exc.field_errors[field]}", err=True)
            sys.exit(1)
        except EngineError as exc:
            fail(said(exc.said))
        except click.ClickException:
            raise
        except BrokenPipeError:  # stdout's reader went away: the group stops quietly
            raise
        except Exception as exc:  # an engine bug: say so in one line, details with -v
            logging.getLogger("kuaiban.cli").debug("internal error", exc_info=True)
            fail(f"internal error ({type(exc).__name__}: {exc}); run with -v for details", 2)

    return wrapper  # type: ignore[return-value]  # wraps keeps the signature


def open_engine() -> Engine:
    try:
        return Engine()
    except EngineError as exc:
        fail(exc.message)
        raise


def json_arg(text: str | None, what: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(
            f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    if not isinstance(value, dict):
        raise click.BadParameter(f"{what} must be a JSON object")
    return value
