"""Code the reliability tests' subprocesses import: a slow mail backend that records each
message it accepts, and a task that records which cluster ran it."""

import os
import time

from django.core.mail.backends.base import BaseEmailBackend


class RecordingMailBackend(BaseEmailBackend):
    """A mail server that takes ``RELIABILITY_MAIL_DELAY`` seconds per message, then accepts it
    and writes its Message-ID as one line of ``RELIABILITY_MAIL_LOG``.

    The line is the server's acceptance: a worker killed during the delay has sent nothing.
    """

    def send_messages(self, messages):
        delay = float(os.environ.get("RELIABILITY_MAIL_DELAY", "0"))
        for message in messages:
            time.sleep(delay)
            with open(os.environ["RELIABILITY_MAIL_LOG"], "a", encoding="utf-8") as log:
                log.write(message.extra_headers["Message-ID"] + "\n")
        return len(messages)


def record_run(number: int) -> int:
    """A django-q2 task: append "<number> <cluster> <pid>" to ``RELIABILITY_RUN_LOG``.

    One short write in append mode, so lines from concurrent workers never interleave. The short
    sleep keeps a worker busy long enough for the other cluster to take its share.
    """
    time.sleep(0.05)
    line = f"{number} {os.environ['RELIABILITY_CLUSTER']} {os.getpid()}\n"
    with open(os.environ["RELIABILITY_RUN_LOG"], "a", encoding="utf-8") as log:
        log.write(line)
    return number
