"""Every address the README names is one the service answers.

The README is where operators and members look up a page or an endpoint; a path that is not
there (a statement "page" that only exists in the API) sends them to a 404. Each path in a code
span (`/bids/<id>/`, `POST /api/v1/bids/<id>/send/`) is resolved against the project's URLs
with its placeholders filled in; a path that ends in "…" names a family of addresses and must be
the start of one. Paths are written out whole: "…/send/" alone cannot be checked, or followed.
"""

import re
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

from tests.helpers import url_routes

README = Path(__file__).resolve().parent.parent / "README.md"
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


def readme_addresses() -> list[str]:
    text = README.read_text(encoding="utf-8")
    found = [_address(span) for span in _spans(text)]
    found += ["/" + match for match in re.findall(r"\(http://127\.0\.0\.1:\d+/([^)\s]*)\)", text)]
    return sorted({address for address in found if address})


def _filled(address: str) -> str:
    return PLACEHOLDER.sub(lambda match: SAMPLES.get(match.group(1), "1"), address)


def _routes_as_prefixes() -> list[str]:
    """Every route with its converters and groups cut off, e.g. "api/v1/bids/"."""
    cut = re.compile(r"(<|\^|\(|\[).*$")
    return ["/" + cut.sub("", route.replace("^", "")) for route, _pattern in url_routes()]


def test_the_readme_names_addresses_to_check():
    addresses = readme_addresses()

    assert "/coordination/queue/" in addresses
    assert len(addresses) > 30


@pytest.mark.parametrize("address", readme_addresses())
def test_every_address_in_the_readme_exists(address):
    assert not address.startswith("…"), (
        f"{address}: write the whole path (e.g. /api/v1/bids/<id>/send/), not its end"
    )
    if address.endswith("…"):
        stem = _filled(address.rstrip("…"))
        assert any(
            prefix.startswith(stem) or stem.startswith(prefix) and prefix != "/"
            for prefix in _routes_as_prefixes()
        ), f"no address starts with {stem}"
        return
    try:
        resolve(_filled(address))
    except Resolver404:
        pytest.fail(f"{address} is named in the README but the service has no such address")
