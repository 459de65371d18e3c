# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""Alembic's command line with the service's settings: no alembic.ini to keep in step.

    python -m course_app.migrate upgrade head
    python -m course_app.migrate current
    python -m course_app.migrate revision --autogenerate -m "add a column"

The database is DATABASE_URL (or .env), like the service's.
"""

import logging

from alembic.config import CommandLine

from course_app.core.migrations import alembic_config


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)-5.5s [%(name)s] %(message)s")
    cli = CommandLine(prog="python -m course_app.migrate")
    options = cli.parser.parse_args(argv)
    if not hasattr(options, "cmd"):
        cli.parser.error("name a command, for example: upgrade head")
    cli.run_cmd(alembic_config(), options)


if __name__ == "__main__":
    main()
