"""Getting unstuck: reveal one hole's solution, or restore whole stages from the reference.

Both act on the learner's workspace (the folder with `notebooks/` around the current one, or
`learner/` when run from the full edition's root) and never touch the full edition.
"""

from __future__ import annotations

import time
from pathlib import Path

from course_tools.holes import reference_root
from course_tools.magic import forget_course_app, write_atomically
from course_tools.notebooks import expected_files, stages
from course_tools.paths import PACKAGE, find_root, relative

BACKUPS = ".course_backups"


def learner_workspace(start: Path | None = None) -> Path:
    """The workspace to act on; the full edition itself is refused."""
    root = find_root(start)
    if root.resolve() != reference_root():
        return root
    if (root / "learner" / "notebooks").is_dir():
        return root / "learner"
    raise SystemExit(
        "This is the full edition, whose course_app the notebooks write. "
        "Your workspace is learner/: run `make lab` once to create it."
    )


def restore(number: int, start: Path | None = None) -> str:
    """Put the reference version of every file of stages 01..number in the learner's course_app.

    The learner's own versions of those files are copied to `.course_backups/<time>/` first.
    Files of later stages are left alone.
    """
    workspace = learner_workspace(start)
    reference = [s for s in stages(reference_root()) if 0 < s.number <= number]
    if not reference or reference[-1].number != number:
        known = ", ".join(s.label for s in stages(reference_root()) if s.number > 0)
        raise SystemExit(f"There is no stage {number:02d}; the stages are {known}.")
    backup = workspace / BACKUPS / time.strftime("%Y%m%d-%H%M%S")
    saved, written = [], []
    for path, (text, _) in expected_files(reference).items():
        target = workspace / path
        if target.exists():
            mine = target.read_text(encoding="utf-8", errors="replace")
            if mine == text:
                continue
            copy = backup / path
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(mine, encoding="utf-8")
            saved.append(path)
        write_atomically(target, text)
        written.append(path)
    forget_course_app()
    lines = [f"Stages 01-{number:02d} restored from the reference: {len(written)} files written."]
    if saved:
        lines.append(f"Your versions of {len(saved)} files are in {relative(backup, workspace)}/.")
    if not written:
        lines = [f"{PACKAGE}/ already holds the reference of stages 01-{number:02d}."]
    return "\n".join(lines)
