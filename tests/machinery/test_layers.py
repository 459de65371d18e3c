"""The service's layering rule: only repositories build SQL; services and routes call them.

(The database's own plumbing, `db.py` and `core/migrations.py`, speaks SQL too: it is not part of
the service's domain.)
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "course_app"
SQL_BUILDERS = {"select", "insert", "update", "delete", "text", "literal", "exists", "func"}
ABOVE_THE_REPOSITORIES = sorted(
    path
    for folder in ("api", "services", "graphql")
    for path in (PACKAGE / folder).rglob("*.py")
    if "__pycache__" not in path.parts
)


def sql_builders_imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy"
        for alias in node.names
        if alias.name in SQL_BUILDERS
    }


@pytest.mark.parametrize(
    "path",
    ABOVE_THE_REPOSITORIES,
    ids=[p.relative_to(PACKAGE).as_posix() for p in ABOVE_THE_REPOSITORIES],
)
def test_routes_and_services_build_no_sql(path: Path) -> None:
    assert not sql_builders_imported(path), "this query belongs in a repository"
