"""Checks for the exercises of notebook 01 (settings)."""

from course_tools.exercises import Namespace, exercise, expect


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


@exercise("01.2")
def settings_error(ns: Namespace) -> None:
    first_error = ns["settings_error"]
    expect(first_error() is None, "Valid settings (the defaults) should give None.")
    message = first_error(access_token_expire_minutes="soon")
    expect(isinstance(message, str), "For bad settings, return a string.")
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
