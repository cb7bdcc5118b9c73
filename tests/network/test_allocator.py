"""Each process keeps the memory it frees for reuse (``network.allocator``): the thresholds are
set through glibc's ``mallopt``, 0 leaves them alone, another C library is left as it is, and on
glibc a large array then comes from the heap instead of a fresh mapping."""

import ctypes
import subprocess
import sys

import pytest
from django.conf import settings

from network import allocator


class FakeLibc:
    def __init__(self, answer: int = 1) -> None:
        self.calls = []
        self.answer = answer

    def mallopt(self, parameter: int, value: int) -> int:
        self.calls.append((parameter, value))
        return self.answer


@pytest.fixture
def libc(monkeypatch) -> FakeLibc:
    fake = FakeLibc()
    monkeypatch.setattr(allocator, "_glibc", lambda: fake)
    return fake


@pytest.mark.parametrize(
    "megabytes, mapping_threshold",
    [
        (16, 8 * 2**20),  # half of what is kept
        (512, 32 * 2**20),  # within what glibc accepts
    ],
)
def test_the_thresholds_are_set_from_the_megabytes(libc, megabytes, mapping_threshold):
    assert allocator.keep_freed_memory(megabytes) is True
    assert libc.calls == [
        (allocator.M_MMAP_THRESHOLD, mapping_threshold),
        (allocator.M_TRIM_THRESHOLD, megabytes * 2**20),
    ]


def test_zero_leaves_the_allocator_alone(libc):
    assert allocator.keep_freed_memory(0) is False
    assert libc.calls == []


def test_another_c_library_is_left_alone(monkeypatch):
    monkeypatch.setattr(allocator, "_glibc", lambda: None)

    assert allocator.keep_freed_memory(128) is False


def test_a_refused_threshold_is_reported(monkeypatch):
    monkeypatch.setattr(allocator, "_glibc", lambda: FakeLibc(answer=0))

    assert allocator.keep_freed_memory(128) is False


def test_the_default_keeps_128_megabytes():
    assert settings.ALLOCATOR_KEEP_MB == 128


@pytest.mark.parametrize("value", ["-1", "lots"])
def test_a_bad_setting_stops_the_process(value):
    result = subprocess.run(
        [sys.executable, "-c", "import network.settings"],
        env={"ALLOCATOR_KEEP_MB": value, "DEBUG": "1", "PATH": ""},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "ALLOCATOR_KEEP_MB" in result.stderr


# A process that allocates 16 MB and says how many bytes its allocator holds in mappings (glibc's
# mallinfo2 ``hblkhd``), with or without keeping freed memory first.
PROBE = """
import ctypes, sys
from network import allocator
class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
print(allocator.keep_freed_memory(int(sys.argv[1])))
block = bytearray(16 * 2**20)
print(libc.mallinfo2().hblkhd)
"""


def _mapped_bytes(megabytes: int) -> tuple[str, int]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(megabytes)],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    applied, mapped = result.stdout.split()
    return applied, int(mapped)


@pytest.mark.skipif(allocator._glibc() is None, reason="glibc's allocator is not in use here")
def test_on_glibc_a_large_block_comes_from_the_heap():
    assert hasattr(ctypes.CDLL(None), "mallinfo2"), "glibc 2.33 or later has mallinfo2"

    applied, mapped = _mapped_bytes(128)
    default_applied, default_mapped = _mapped_bytes(0)

    assert applied == "True" and default_applied == "False"
    assert default_mapped >= 16 * 2**20  # by default a block this large is a fresh mapping
    assert mapped < 16 * 2**20
