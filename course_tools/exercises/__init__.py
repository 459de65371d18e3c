"""Exercises: a stub the learner fills in, and a check that answers in one friendly line.

A check is a function registered with `@exercise("NN.K")`. It receives the namespace the learner's
code ran in and calls `expect(condition, hint)`; it may be `async def`.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from course_tools.notebooks import ExerciseCell

Namespace = dict[str, Any]
Check = Callable[[Namespace], Any]

_checks: dict[str, Check] = {}


class Verdict(StrEnum):
    CORRECT = "correct"
    NOT_YET = "not yet"
    NOT_ATTEMPTED = "not attempted"


@dataclass(frozen=True)
class Result:
    exercise_id: str
    verdict: Verdict
    hint: str = ""

    def __str__(self) -> str:
        icon = {Verdict.CORRECT: "✅", Verdict.NOT_YET: "🟡", Verdict.NOT_ATTEMPTED: "⬜"}
        text = f"{icon[self.verdict]} Exercise {self.exercise_id}: {self.verdict}"
        return f"{text}: {self.hint}" if self.hint else text


class NotYet(Exception):
    """Raised by `expect` with the hint to show."""


def expect(condition: object, hint: str) -> None:
    if not condition:
        raise NotYet(hint)


def exercise(exercise_id: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        _checks[exercise_id] = check
        return check

    return register


def registered() -> dict[str, Check]:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return dict(_checks)


def evaluate(exercise_id: str, namespace: Namespace) -> Result:
    check = registered().get(exercise_id)
    if check is None:
        raise LookupError(f"no check is registered for exercise {exercise_id}")
    try:
        outcome = check(namespace)
        if inspect.isawaitable(outcome):
            run_elsewhere(outcome)
    except NotImplementedError as error:
        from course_tools.holes import describe, hole_in

        hole_id = hole_in(error)
        if hole_id:
            hint = f"it needs hole {hole_id} first: {describe(hole_id)}"
            return Result(exercise_id, Verdict.NOT_YET, hint)
        return Result(exercise_id, Verdict.NOT_ATTEMPTED, "replace `raise NotImplementedError`")
    except KeyError as missing:
        return Result(
            exercise_id, Verdict.NOT_ATTEMPTED, f"run the exercise cell first ({missing})"
        )
    except NotYet as failure:
        return Result(exercise_id, Verdict.NOT_YET, str(failure))
    except Exception as error:  # the learner's code may fail in any way
        return Result(
            exercise_id, Verdict.NOT_YET, f"your code raised {type(error).__name__}: {error}"
        )
    return Result(exercise_id, Verdict.CORRECT)


def run_exercise_source(cell: ExerciseCell, source: str) -> Result:
    """Run one exercise cell on its own, then its check. Exercise cells are self-contained."""
    namespace: dict[str, object] = {"__name__": "__exercise__"}
    try:
        # dont_inherit: this module's `from __future__` imports must not leak into the learner's
        # code, or pydantic models defined there would keep string annotations.
        code = compile(source, f"<exercise {cell.exercise_id}>", "exec", dont_inherit=True)
        exec(code, namespace)
    except Exception as error:  # a broken cell is a "not yet", never a crash of the run
        return Result(cell.exercise_id, Verdict.NOT_YET, f"the cell raised {type(error).__name__}")
    return evaluate(cell.exercise_id, namespace)


def run_elsewhere(awaitable: Any) -> Any:
    """Run an async check to completion, even from a notebook whose event loop is running."""

    async def wrapper() -> Any:
        return await awaitable

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, wrapper()).result()


def check_exercise(exercise_id: str) -> None:
    """The check cell under an exercise: judge the code the learner ran in this notebook."""
    from IPython import get_ipython

    print(evaluate(exercise_id, get_ipython().user_ns))
