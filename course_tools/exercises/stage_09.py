"""Checks for the exercises of notebook 09 (performance)."""

from typing import Any

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake


@exercise("09.1")
def not_modified(ns: Namespace) -> None:
    matches = ns["not_modified"]
    etag = '"3f2a"'
    expect(
        matches(etag, etag) is True, "The same tag matches: not_modified('\"3f2a\"', '\"3f2a\"')."
    )
    try:
        no_header = matches(None, etag)
    except (AttributeError, TypeError):
        expect(False, "No If-None-Match header comes as None: test for None before using it.")
    expect(no_header is False, "No If-None-Match header (None) never matches.")
    expect(matches("", etag) is False, "An empty header never matches.")
    expect(matches('"9b1c"', etag) is False, "A different tag does not match.")
    expect(
        matches('"3f2"', etag) is False and matches('"3f2a0"', etag) is False,
        "Compare whole tags, not prefixes or parts of them.",
    )
    expect(
        matches('"9b1c","3f2a"', etag) is True,
        'The header may list several tags separated by commas: split it on ",".',
    )
    expect(
        matches('"9b1c", "3f2a"', etag) is True,
        'The tags of a list may have spaces around them: strip each one ("9b1c", "3f2a").',
    )
    expect(matches('W/"3f2a"', etag) is True, 'If-None-Match compares weakly: W/"3f2a" matches.')
    expect(matches("*", etag) is True, '"*" matches any current answer.')
    expect(matches('"9b1c", W/"7e7e"', etag) is False, "None of the listed tags is ours: False.")


class RecordingCache:
    """A cache that behaves like the course's, and can simulate a writer committing mid-read."""

    def __init__(self) -> None:
        from course_app.core.cache import InMemoryCatalogueCache

        self.inner = InMemoryCatalogueCache()
        self.calls: list[str] = []

    async def generation(self) -> int:
        self.calls.append("generation")
        generation: int = await self.inner.generation()
        return generation

    async def get(self, key: str) -> Any:
        self.calls.append("get")
        return await self.inner.get(key)

    async def set(self, key: str, value: Any, generation: int) -> None:
        self.calls.append("set")
        await self.inner.set(key, value, generation)

    async def invalidate(self) -> None:
        await self.inner.invalidate()


@exercise("09.2")
async def cached_read(ns: Namespace) -> None:
    from course_app.core.cache import CachedResponse

    read = ns["cached_read"]
    cache = RecordingCache()
    loads: list[int] = []

    async def load() -> bytes:
        loads.append(1)
        return b'{"price": "19.99"}'

    first = await read(cache, "product:1", load)
    expect(isinstance(first, CachedResponse), "Return a CachedResponse: CachedResponse.of(body).")
    expect(first.body == b'{"price": "19.99"}', "The body is what load() returned.")
    second = await read(cache, "product:1", load)
    expect(len(loads) == 1, "A second read of the same key must come from the cache: store it.")
    expect(
        isinstance(second, CachedResponse),
        "A hit returned something else than a CachedResponse: store the CachedResponse itself, "
        "not the bytes.",
    )
    expect(second == first, "A hit returns the stored CachedResponse.")
    expect(
        await cache.inner.get("product:2") is None and "set" in cache.calls,
        "Store the value with cache.set(key, value, generation).",
    )

    # A writer commits while we are reading the old row: the old body must not stay cached.
    racing = RecordingCache()

    async def load_during_a_change() -> bytes:
        await racing.invalidate()
        return b'{"price": "old"}'

    await read(racing, "product:1", load_during_a_change)
    expect(
        await racing.inner.get("product:1") is None,
        "A change committed during load() left the old body cached: read the generation "
        "before calling load(), and pass that generation to set().",
    )


MISTAKES = [
    Mistake(
        "09.1",
        "None not tested",
        change=(
            ("if not if_none_match:\n    return False\n"),
            "",
        ),
        names="test for none",
    ),
    Mistake(
        "09.1",
        "the list not split",
        change=(
            'return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))\n',
            'return if_none_match.strip().removeprefix("W/") == etag\n',
        ),
        names='split it on ","',
    ),
    Mistake(
        "09.1",
        "tags not stripped",
        """
        if not if_none_match:
            return False
        if if_none_match == "*":
            return True
        return any(tag.removeprefix("W/") == etag for tag in if_none_match.split(","))
        """,
        names="strip each one",
    ),
    Mistake(
        "09.1",
        "a strong comparison",
        change=(
            'return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))\n',
            'return any(tag.strip() == etag for tag in if_none_match.split(","))\n',
        ),
        names="compares weakly",
    ),
    Mistake(
        "09.2",
        "the generation read after load()",
        """
        cached = await cache.get(key)
        if cached is not None:
            return cached
        cached = CachedResponse.of(await load())
        await cache.set(key, cached, await cache.generation())
        return cached
        """,
        names="before calling load()",
    ),
    Mistake(
        "09.2",
        "nothing stored",
        change=(
            (
                "generation = await cache.generation()  # before the read: a change during it wins\n"
                "cached = CachedResponse.of(await load())\n"
                "await cache.set(key, cached, generation)\n"
                "return cached\n"
            ),
            "return CachedResponse.of(await load())\n",
        ),
        names="store it",
    ),
    Mistake(
        "09.2",
        "the bytes stored",
        change=(
            (
                "generation = await cache.generation()  # before the read: a change during it wins\n"
                "cached = CachedResponse.of(await load())\n"
                "await cache.set(key, cached, generation)\n"
                "return cached\n"
            ),
            (
                "generation = await cache.generation()\n"
                "body = await load()\n"
                "await cache.set(key, body, generation)\n"
                "return CachedResponse.of(body)\n"
            ),
        ),
        names="not the bytes",
    ),
]
