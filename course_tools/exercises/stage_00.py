"""Checks for the exercise of notebook 00 (welcome)."""

from course_tools.exercises import Namespace, exercise, expect


@exercise("00.1")
def supported_python(ns: Namespace) -> None:
    supported = ns["is_supported_python"]
    expect(supported((3, 11)) is True, "Python 3.11 is supported: return True for (3, 11).")
    expect(supported((3, 13)) is True, "Newer versions are supported too: (3, 13) gives True.")
    expect(supported((3, 10)) is False, "Python 3.10 is too old: return False for (3, 10).")
    expect(
        supported((4, 0)) is True, "Compare tuples, not the minor number alone: (4, 0) is newer."
    )
