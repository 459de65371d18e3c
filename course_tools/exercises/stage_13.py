"""Checks for the exercises of notebook 13 (events: outbox, worker, inbox, live updates)."""

import json

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake


@exercise("13.1")
def sse_frame(ns: Namespace) -> None:
    frame = ns["sse_frame"]
    one = frame(7, "status", '{"status": "shipped"}')
    expect(isinstance(one, str), "Return the frame as a str.")
    expect(
        one.endswith("\n\n") and not one.endswith("\n\n\n"),
        "A frame ends with one empty line: the text ends with exactly two line breaks.",
    )
    lines = one.split("\n")[:-2]
    expect(
        sorted(lines) == sorted(["id: 7", "event: status", 'data: {"status": "shipped"}']),
        f"Expected the lines 'id: 7', 'event: status' and 'data: ...', got {lines}.",
    )
    two = frame(8, "note", "first line\nsecond line")
    expect(
        "data: first line\ndata: second line\n" in two,
        "A line break inside the data would end the field: write one 'data: ' line per line.",
    )
    expect(
        frame(9, "status", "x") == "event: status\ndata: x\nid: 9\n\n",
        "Write the fields in the order event, data, id.",
    )


STREAM = (
    ": ping\n\n"
    'id: 3\nevent: status\ndata: {"status": "confirmed"}\n\n'
    ": ping\n\n"
    "id: 4\nevent: note\ndata: line one\ndata: line two\n\n"
)


@exercise("13.2")
def read_events(ns: Namespace) -> None:
    read = ns["read_events"]
    events = read(STREAM)
    expect(isinstance(events, list), "Return a list of dicts, one per event.")
    expect(
        len(events) == 2,
        f"Two events in this stream, not {len(events)}: a comment (': ping') is a keep-alive, "
        "not an event.",
    )
    first, second = events
    expect(
        first == {"id": "3", "event": "status", "data": '{"status": "confirmed"}'},
        f"The first event should be id 3, event status, its data as a string; got {first}.",
    )
    expect(
        second.get("data") == "line one\nline two",
        "Join the 'data:' lines of one event with a line break.",
    )
    expect(
        json.loads(first["data"]) == {"status": "confirmed"},
        "Keep the data as the text sent: the caller decides to parse JSON.",
    )
    expect(read("") == [], "An empty stream has no events.")


MISTAKES = [
    Mistake(
        "13.1",
        "the data written on one line",
        """
        return f"event: {event}\\ndata: {data}\\nid: {event_id}\\n\\n"
        """,
        names="one 'data: ' line per line",
    ),
    Mistake(
        "13.1",
        "no empty line after the frame",
        change=(
            'return "\\n".join(lines) + "\\n\\n"\n',
            'return "\\n".join(lines) + "\\n"\n',
        ),
        names="one empty line",
    ),
    Mistake(
        "13.2",
        "comments taken for events",
        """
        events = []
        for block in text.split("\\n\\n"):
            if not block.strip():
                continue
            event: dict[str, str] = {}
            data = []
            for line in block.split("\\n"):
                name, _, value = line.partition(": ")
                if name == "data":
                    data.append(value)
                elif name:
                    event[name] = value
            if data:
                event["data"] = "\\n".join(data)
            events.append(event)
        return events
        """,
        names="keep-alive",
    ),
    Mistake(
        "13.2",
        "only the last data line kept",
        """
        events = []
        for block in text.split("\\n\\n"):
            event: dict[str, str] = {}
            for line in block.split("\\n"):
                name, _, value = line.partition(": ")
                if name in ("id", "event", "data"):
                    event[name] = value
            if event:
                events.append(event)
        return events
        """,
        names="Join the 'data:' lines",
    ),
]
