"""The ``kinmap`` command: runs every management command (``kinmap migrate``,
``kinmap runserver``, ``kinmap demo``, ``kinmap import FILE`` ...)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinmap.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "kinmap"
    os.environ.setdefault("KINMAP_CHANNEL", "cli")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
