"""The first cell of every notebook: register the magic and make sure earlier stages are in place."""

from __future__ import annotations

from pathlib import Path

from course_tools.course import Course
from course_tools.diagnose import describe_broken, import_error
from course_tools.holes import describe, is_hole_error, unfilled_holes
from course_tools.magic import forget_course_app, register, write_module
from course_tools.notebooks import Stage, expected_files


def start(number: int) -> None:
    course = Course.find()
    root = course.root
    try:
        from IPython import get_ipython

        register(get_ipython())
    except (ImportError, AttributeError):
        pass  # outside IPython there is no magic to register
    course.activate()  # this workspace's course_app is the one to import
    all_stages = course.stages
    current = course.stage(number)
    print(f"Stage {current.label} · {current.title}")
    earlier = [s for s in all_stages if 0 < s.number < number]
    if not earlier:
        print("No earlier stage needed: you start from an empty course_app.")
        return
    print(restore_earlier_stages(earlier, all_stages, root))
    forget_course_app()
    broken = import_error(earlier[-1], root)
    # An empty hole that runs at import time is named below, as a hole, not as a breakage.
    if broken and not is_hole_error(broken["type"], broken["message"]):
        print(f"⚠️ An earlier stage is broken: {describe_broken(broken, root, earlier[-1].number)}")
    warning = earlier_holes(root, number)
    if warning:
        print(warning)


def earlier_holes(root: Path, number: int) -> str:
    """Name the holes of earlier stages still empty: cells that need them will stop there."""
    empty = unfilled_holes(root, up_to=number - 1)
    if not empty:
        return ""
    lines = [f"⚠️ {len(empty)} hole{'s' if len(empty) != 1 else ''} of earlier stages still empty:"]
    lines += [f"   {describe(hole_id)} (hole {hole_id})" for hole_id in empty]
    first_stage = int(empty[0][:2])
    lines.append(
        "   Cells that need them stop with a short 'not yet'. Write them, or bring back the "
        f"reference with `course_tools.restore({first_stage})` (your files are backed up first)."
    )
    return "\n".join(lines)


def restore_earlier_stages(earlier: list[Stage], all_stages: list[Stage], root: Path) -> str:
    """Write the files of earlier stages that are missing; keep (and name) ones that differ."""
    later_versions = {
        cell.path: cell.source
        for s in all_stages
        if s.number > earlier[-1].number
        for cell in s.module_cells
    }
    restored, differing = [], []
    for path, (text, writer) in expected_files(earlier).items():
        target = root / path
        if not target.exists():
            write_module(path, text, root)
            restored.append(f"{path} (notebook {writer.label})")
        elif target.read_text(encoding="utf-8") not in (text, later_versions.get(path)):
            differing.append(f"{path} (notebook {writer.label})")
    span = f"{earlier[0].label}-{earlier[-1].label}" if len(earlier) > 1 else earlier[0].label
    lines = []
    if restored:
        lines.append(f"Restored from earlier notebooks: {', '.join(restored)}.")
    if differing:
        lines.append(
            f"Kept your own version of {', '.join(differing)}: it differs from the notebook's. "
            "If a check fails, re-run that notebook."
        )
    stages_word = "Stages" if len(earlier) > 1 else "Stage"
    verb = "are" if len(earlier) > 1 else "is"
    lines.append(
        f"{stages_word} {span} {verb} in place."
        if not differing
        else f"{stages_word} {span} present."
    )
    return "\n".join(lines)
