"""The `%%module` cell magic: a notebook cell that writes one file of course_app."""

from __future__ import annotations

import difflib
import importlib
import os
import sys
import tempfile
from pathlib import Path

from course_tools.holes import STUB, describe, hole_in, unfilled_holes
from course_tools.notebooks import MODULE_MAGIC, expected_files, module_text, stages
from course_tools.paths import PACKAGE, find_root


class ModuleCellError(Exception):
    """A cell that would leave course_app broken; nothing was written."""


def write_module(relative_path: str, body: str, root: Path) -> str:
    """Check and write one file atomically; return a one-line report."""
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
    report = f"✓ {relative_path} ({lines} line{'s' if lines != 1 else ''})"
    empty = STUB.findall(text)
    if empty:
        # A learner's module with holes still to write: written, and named as unfinished.
        report += "".join(
            f"\n⬜ to write: {describe(hole_id)} (hole {hole_id})" for hole_id in empty
        )
    return report


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
        print(write_module(line.strip(), cell, find_root()))
    except ModuleCellError as error:
        print(error, file=sys.stderr)


class HoleStops:
    """How the kernel shows a cell that stops at an empty hole: a short "not yet", no traceback.

    A learner running the notebook before writing a hole sees which hole the cell needs, and
    the cell counts as finished (not an error), so Run All goes on. Until that hole is written,
    an error in a later cell (a name the stopped cell would have defined, say) is shown as its
    consequence, in one line. Every other error shows as usual.
    """

    def __init__(self, ipython) -> None:  # type: ignore[no-untyped-def]
        self.ipython = ipython
        self.stopped_at: set[str] = set()
        self.forgiven: BaseException | None = None

    def show(self, shell, etype, value, tb, tb_offset=None):  # type: ignore[no-untyped-def]
        hole_id = hole_in(value)
        still_empty = set(unfilled_holes(find_root())) if hole_id or self.stopped_at else set()
        if hole_id:
            self.stopped_at.add(hole_id)
            self.forgiven = value
            print(
                f"⬜ Not yet: this cell needs hole {hole_id}, {describe(hole_id)}.\n"
                "   Write it in that %%module cell, run the cell, then run this one again."
            )
        elif self.stopped_at & still_empty:
            # A cell above stopped half-way, so this one misses what it would have made (a
            # name, an open database): the hole is the cause to fix, not this error.
            self.forgiven = value
            waiting = ", ".join(sorted(self.stopped_at & still_empty))
            print(
                f"⬜ Not yet: {etype.__name__}: {value}, most likely because a cell above stopped "
                f"at hole {waiting}.\n"
                "   Write the hole, then run the notebook again from its %%module cell."
            )
        else:
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return []

    def finish(self, result) -> None:  # type: ignore[no-untyped-def]
        if result is not None and result.error_in_exec is self.forgiven is not None:
            result.error_in_exec = None
        self.forgiven = None


def register(ipython) -> None:  # type: ignore[no-untyped-def]
    from course_tools.suite import TESTFILE_MAGIC, suite_file_magic

    ipython.register_magic_function(module, magic_kind="cell", magic_name=MODULE_MAGIC[2:])
    ipython.register_magic_function(
        suite_file_magic, magic_kind="cell", magic_name=TESTFILE_MAGIC[2:]
    )
    if not isinstance(getattr(ipython, "course_hole_stops", None), HoleStops):
        stops = HoleStops(ipython)
        ipython.course_hole_stops = stops
        ipython.set_custom_exc((Exception,), stops.show)
        ipython.events.register("post_run_cell", stops.finish)
