"""Registry rows for tests: valid credit codes built by the generator's own rule, unique per call."""

from __future__ import annotations

import itertools
from dataclasses import replace
from html.parser import HTMLParser

from xqr.services.registry import RegistryEntry
from xqr.services.registry_generate import CODE_CHARS, authority_name, make_credit_code

_serial = itertools.count(1)


def entry(name: str, status: str = "存续", division: str = "430104", **facts) -> RegistryEntry:
    number = next(_serial)
    body = "MA4" + "".join(CODE_CHARS[(number // len(CODE_CHARS) ** i) % len(CODE_CHARS)] for i in range(5))
    return RegistryEntry(
        credit_code=make_credit_code("91", division, body),
        name=name,
        status=status,
        division_code=division,
        authority=authority_name(division),
        **facts,
    )


def renamed(original: RegistryEntry, name: str) -> RegistryEntry:
    return replace(original, name=name)


class Elements(HTMLParser):
    """Each start tag as (tag, attributes), and the text, of an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag and all(attrs.get(k) == v for k, v in wanted.items())]
