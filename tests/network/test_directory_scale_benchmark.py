"""``manage.py benchmark_directory``: it runs on a tiny directory and prints its figures (the
lines and their fields, not the timings)."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from network.management.commands.benchmark_directory import FILTERS, percentile
from network.models import Language
from tests.factories import ConsultantFactory, ConsultantSkillFactory, SkillFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_languages")]


@pytest.fixture
def tiny_directory(member):
    skill = SkillFactory(name="WordPress", slug="wordpress")
    spanish = Language.objects.get(code="es")
    for number in range(6):
        consultant = ConsultantFactory(
            status="active", location="Oakland, CA", display_name=f"Tiny member {number}"
        )
        ConsultantSkillFactory(consultant=consultant, skill=skill, level=3)
        consultant.languages.add(spanish)


def test_benchmark_prints_the_member_count_and_a_line_per_filter(tiny_directory):
    out = io.StringIO()
    call_command("benchmark_directory", tries=3, stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert re.fullmatch(
        r"Directory API on \w+: 7 members \(7 visible to a member\), 3 tries per filter", lines[0]
    )
    assert len(lines) == 1 + len(FILTERS)
    for name, line in zip(FILTERS, lines[1:], strict=True):
        assert line.startswith(name)
        assert re.search(r"p50 +[\d.]+ ms +p95 +[\d.]+ ms +max +[\d.]+ ms", line), line
        assert re.search(r"in the database: p50 +[\d.]+ ms, p95 +[\d.]+ ms", line), line
        assert re.search(r"over the cap in 0/3\)$", line), line


def test_benchmark_refuses_fewer_than_one_try(tiny_directory):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("benchmark_directory", tries=0, stdout=io.StringIO())


def test_benchmark_needs_an_active_member(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("benchmark_directory", tries=1, stdout=io.StringIO())


def test_percentile_is_the_nearest_rank():
    timings = [float(value) for value in range(1, 101)]
    assert percentile(timings, 0.95) == 95.0
    assert percentile(timings, 0.5) == 50.0
    assert percentile([7.0], 0.95) == 7.0
