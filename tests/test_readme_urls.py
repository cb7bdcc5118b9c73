"""Every address the README and the docs name is one the service answers.

The README, and docs/reference.md behind it, are where operators and members look up a page or
an endpoint; a path that is not there (a statement "page" that only exists in the API) sends
them to a 404. Each path in a code span (`/bids/<id>/`, `POST /api/v1/bids/<id>/send/`) is
resolved against the project's URLs with its placeholders filled in; a path that ends in "…"
names a family of addresses and must be the start of one. Paths are written out whole:
"…/send/" alone cannot be checked, or followed.
"""

import re
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

from tests.helpers import url_routes

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
# The README is short; the tables of pages and API addresses are in the reference.
DOCUMENTS = (README, *sorted((ROOT / "docs").glob("*.md")))
METHODS = ("GET ", "POST ", "PUT ", "PATCH ", "DELETE ")
# Code spans that start with a slash but are files on a machine, not addresses.
NOT_ADDRESSES = ("/usr/", "/etc/", "/var/", "/tmp/", "/opt/", "/dev/", "/proc/")  # noqa: S108
PLACEHOLDER = re.compile(r"<([a-z_]+)>")
# What each placeholder stands for, in a shape its route accepts.
SAMPLES = {"token": "A" * 22, "slug": "how-we-work", "skill_slug": "wordpress"}


def _spans(text: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", text)


def _address(span: str) -> str | None:
    """The path a code span names, or None when the span is not an address."""
    for method in METHODS:
        span = span.removeprefix(method)
    if span.startswith("http://127.0.0.1:"):
        span = "/" + span.split("/", 3)[3] if span.count("/") >= 3 else "/"
    if not span.startswith(("/", "…/")) or " " in span or span.startswith(NOT_ADDRESSES):
        return None
    return span.split("?", 1)[0]


def addresses_in(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = [_address(span) for span in _spans(text)]
    found += ["/" + match for match in re.findall(r"\(http://127\.0\.0\.1:\d+/([^)\s]*)\)", text)]
    return sorted({address for address in found if address})


def documented_addresses() -> list[tuple[str, str]]:
    """(address, the document naming it), for every document."""
    return [
        (address, path.relative_to(ROOT).as_posix())
        for path in DOCUMENTS
        for address in addresses_in(path)
    ]


def _filled(address: str) -> str:
    return PLACEHOLDER.sub(lambda match: SAMPLES.get(match.group(1), "1"), address)


def _routes_as_prefixes() -> list[str]:
    """Every route with its converters and groups cut off, e.g. "api/v1/bids/"."""
    cut = re.compile(r"(<|\^|\(|\[).*$")
    return ["/" + cut.sub("", route.replace("^", "")) for route, _pattern in url_routes()]


def test_the_readme_and_the_reference_name_addresses_to_check():
    assert {"/desk/", "/request/", "/coordination/queue/"} <= set(addresses_in(README))
    assert len(addresses_in(ROOT / "docs" / "reference.md")) > 30


@pytest.mark.parametrize(("address", "document"), documented_addresses())
def test_every_address_in_the_readme_and_the_docs_exists(address, document):
    assert not address.startswith("…"), (
        f"{address}: write the whole path (e.g. /api/v1/bids/<id>/send/), not its end"
    )
    if address.endswith("…"):
        stem = _filled(address.rstrip("…"))
        assert any(
            prefix.startswith(stem) or stem.startswith(prefix) and prefix != "/"
            for prefix in _routes_as_prefixes()
        ), f"{document}: no address starts with {stem}"
        return
    try:
        resolve(_filled(address))
    except Resolver404:
        pytest.fail(f"{address} is named in {document} but the service has no such address")
