"""Checks for the exercise of notebook 00 (welcome)."""

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake


@exercise("00.1")
def supported_python(ns: Namespace) -> None:
    supported = ns["is_supported_python"]
    expect(
        supported((3, 11)) is True,
        "Python 3.11 itself is supported: use >=, not >, so (3, 11) gives True.",
    )
    expect(supported((3, 13)) is True, "Newer versions are supported too: (3, 13) gives True.")
    expect(supported((3, 10)) is False, "Python 3.10 is too old: return False for (3, 10).")
    expect(
        supported((3, 9)) is False,
        "Python 3.9 is too old, though 3.9 > 3.11 as floats and '3.9' > '3.11' as text: "
        "do not turn the version into a float or a string, compare the tuples.",
    )
    expect(
        supported((4, 0)) is True, "Compare tuples, not the minor number alone: (4, 0) is newer."
    )


MISTAKES = [
    Mistake("00.1", "the minor number alone", "return version[1] >= 11", names="minor number"),
    Mistake("00.1", "> instead of >=", "return version > (3, 11)", names="use >=, not >"),
    Mistake(
        "00.1",
        "the version as a float",
        """
        major, minor = version
        return float(f"{major}.{minor}") >= 3.11
        """,
        names="float",
    ),
]
