"""The `%%module` cell magic: a notebook cell that writes one file of course_app."""

from __future__ import annotations

import difflib
import importlib
import os
import sys
import tempfile
from pathlib import Path

from course_tools.notebooks import MODULE_MAGIC, expected_files, module_text, stages
from course_tools.paths import PACKAGE, find_root


class ModuleCellError(Exception):
    """A cell that would leave course_app broken; nothing was written."""


def write_module(relative_path: str, body: str, root: Path | None = None) -> str:
    """Check and write one file atomically; return a one-line report."""
    root = root or find_root()
    if not relative_path.startswith(PACKAGE + "/"):
        raise ModuleCellError(f"{MODULE_MAGIC} only writes files under {PACKAGE}/")
    known = expected_files(stages(root))
    if known and relative_path not in known:
        # A typo here would write a module nothing imports, and the checks would fail elsewhere.
        closest = difflib.get_close_matches(relative_path, list(known), n=1, cutoff=0.6)
        suggestion = f" Did you mean {closest[0]}?" if closest else ""
        raise ModuleCellError(
            f"✗ {relative_path} not written: no notebook of the course writes that file.{suggestion}"
        )
    text = module_text(body)
    if relative_path.endswith(".py"):
        try:
            compile(text, relative_path, "exec")
        except SyntaxError as error:
            # The cell's first line is the %%module line, so file line N is cell line N + 1.
            cell_line = (error.lineno or 0) + 1
            raise ModuleCellError(
                f"✗ {relative_path} not written: {type(error).__name__}: {error.msg}.\n"
                f"  Fix line {cell_line} of this cell and run it again; the previous version is kept."
            ) from None
    write_atomically(root / relative_path, text)
    forget_course_app()
    lines = text.count("\n")
    return f"✓ {relative_path} ({lines} line{'s' if lines != 1 else ''})"


def write_atomically(target: Path, text: str) -> None:
    """Write to a temporary file, then rename: the file is never seen half-written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".py")
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
        stream.write(text)
    # mkstemp makes the file private (0600); a module must be readable by whoever runs the
    # service, such as the unprivileged user of a container image.
    os.chmod(temporary, 0o644)
    os.replace(temporary, target)


def forget_course_app() -> None:
    """Make the next `import` in this kernel load the code on disk.

    Every course_app module is forgotten, not only the rewritten one: modules that imported the
    old version (say, models bound to an old `Base`) must be loaded again too.
    """
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]
    importlib.invalidate_caches()


def module(line: str, cell: str) -> None:
    """%%module course_app/<path>: write this cell's code to that file."""
    try:
        print(write_module(line.strip(), cell))
    except ModuleCellError as error:
        print(error, file=sys.stderr)


def register(ipython) -> None:  # type: ignore[no-untyped-def]
    from course_tools.suite import TESTFILE_MAGIC, suite_file_magic

    ipython.register_magic_function(module, magic_kind="cell", magic_name=MODULE_MAGIC[2:])
    ipython.register_magic_function(
        suite_file_magic, magic_kind="cell", magic_name=TESTFILE_MAGIC[2:]
    )
