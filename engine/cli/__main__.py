"""``python -m engine.cli``: the ``kuaiban`` command."""

from engine.cli import main

main()
