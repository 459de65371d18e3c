"""Checks for the exercises of notebook 01 (settings)."""

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake


@exercise("01.1")
def split_csv(ns: Namespace) -> None:
    split = ns["split_csv"]
    expect(split("a,b") == ["a", "b"], 'split_csv("a,b") should give ["a", "b"].')
    expect(
        split(" https://a.example , https://b.example ")
        == ["https://a.example", "https://b.example"],
        "Strip the spaces around each item.",
    )
    expect(split("a,,b,") == ["a", "b"], 'Drop empty items: split_csv("a,,b,") gives ["a", "b"].')
    expect(split("") == [], 'An empty string gives an empty list, not [""].')
    expect(
        split("a, ,b") == ["a", "b"],
        "An item of spaces only is empty too: test item.strip(), not item, so that "
        'split_csv("a, ,b") gives ["a", "b"].',
    )


@exercise("01.2")
def settings_error(ns: Namespace) -> None:
    first_error = ns["settings_error"]
    expect(first_error() is None, "Valid settings (the defaults) should give None.")
    message = first_error(access_token_expire_minutes="soon")
    expect(
        isinstance(message, str),
        "For bad settings, return a string: the caller prints it.",
    )
    expect(
        "validation error" not in message,
        "str(error) is pydantic's whole report, over several lines: build one line from "
        "error.errors()[0], its 'loc' and its 'msg'.",
    )
    expect(
        not message.startswith("("),
        "The error's 'loc' is a tuple: take its first item, error.errors()[0]['loc'][0].",
    )
    expect(
        message.startswith("access_token_expire_minutes: "),
        "Start the message with the field's name and ': ' (use error.errors()[0]['loc']).",
    )
    production = first_error(environment="production")
    expect(
        isinstance(production, str) and production.startswith("secret_key: "),
        "Production with the default secret should name secret_key.",
    )
    expect("\n" not in message, "Keep the message on one line: use the error's 'msg'.")


MISTAKES = [
    Mistake("01.1", "no strip", 'return raw.split(",")', names="strip the spaces"),
    Mistake(
        "01.1",
        "empty items kept",
        'return [item.strip() for item in raw.split(",")]',
        names="drop empty items",
    ),
    Mistake(
        "01.1",
        "blank items kept",
        'return [item.strip() for item in raw.split(",") if item]',
        names="spaces only",
    ),
    Mistake(
        "01.2",
        "str(error)",
        change=(
            ("    first = error.errors()[0]\n    return f\"{first['loc'][0]}: {first['msg']}\"\n"),
            "    return str(error)\n",
        ),
        names="str(error)",
    ),
    Mistake(
        "01.2",
        "the whole loc",
        change=(
            "    return f\"{first['loc'][0]}: {first['msg']}\"\n",
            "    return f\"{first['loc']}: {first['msg']}\"\n",
        ),
        names="'loc' is a tuple",
    ),
    Mistake(
        "01.2",
        "the message without its field",
        change=(
            ("    first = error.errors()[0]\n    return f\"{first['loc'][0]}: {first['msg']}\"\n"),
            '    return error.errors()[0]["msg"]\n',
        ),
        names="the field's name",
    ),
]
