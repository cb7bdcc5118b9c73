"""The journey harness (tests/e2e/journey.py) fails a page for each thing it checks: a serious
accessibility finding, a page wider than a phone, a server error; and passes a clean page. A
harness that never fails would make every journey green for nothing."""

import pytest

from tests.e2e.conftest import PHONE
from tests.e2e.journey import Journey

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone(new_page, transactional_db):
    journey = Journey(new_page(viewport=PHONE), "phone")
    journey.visit("/request/")  # clean: no finding, nothing wider than the phone
    return journey


def test_a_serious_accessibility_finding_fails_the_page(phone):
    # An image that says nothing to a screen reader: axe-core's image-alt, critical.
    phone.page.evaluate(
        "document.querySelector('main').append(Object.assign(document.createElement('img'), "
        "{src: '/static/missing.png', width: 20, height: 20}))"
    )
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
        phone.check()


def test_a_page_wider_than_the_phone_fails_with_the_culprit(phone):
    phone.page.evaluate(
        "const box = Object.assign(document.createElement('div'), {className: 'too-wide'});"
        "box.style.width = '600px'; box.style.height = '1px';"
        "document.querySelector('main').append(box)"
    )
    with pytest.raises(AssertionError, match=r"scrolls sideways by \d+px: .*div\.too-wide"):
        phone.check()


def test_a_server_error_fails_the_next_check(phone):
    phone.page.route("**/boom/", lambda route: route.fulfill(status=500, body="Server Error"))
    phone.page.goto("/boom/")
    with pytest.raises(AssertionError, match=r"server errors .*500 GET .*/boom/"):
        phone.check()
