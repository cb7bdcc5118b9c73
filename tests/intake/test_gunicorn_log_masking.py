"""Secret paths masked by network.log_masking: the masking itself, and gunicorn's access and
error logs with the project's logger class (``--logger-class
network.log_masking.GunicornLogger``)."""

import datetime

import pytest
from gunicorn.config import Config

from network.log_masking import MASK, GunicornLogger, mask


def gunicorn_logger() -> GunicornLogger:
    config = Config()
    config.set("accesslog", "-")
    return GunicornLogger(config)


class Response:
    status = "200 OK"
    sent = 512
    headers = [("Content-Type", "text/html")]


def test_gunicorns_access_log_masks_the_token_with_the_projects_logger_class(caplog):
    logger = gunicorn_logger()
    logger.access_log.addHandler(caplog.handler)
    token = "kB2x9_Tq-1mN4vR7sW0yZw"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/status/{token}/",
        "PATH_INFO": f"/status/{token}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://switchboard.example.org/api/v1/requests/status/{token}/",
    }
    try:
        logger.access(Response(), [("Host", "switchboard.example.org")], environ,
                      datetime.timedelta(milliseconds=12))  # fmt: skip
        logger.error_log.addHandler(caplog.handler)
        logger.error_log.error("Error handling request %s", f"/status/{token}/")
    finally:
        logger.access_log.removeHandler(caplog.handler)
        logger.error_log.removeHandler(caplog.handler)

    assert token not in caplog.text
    assert f'"GET /status/{MASK}/ HTTP/1.1" 200 512' in caplog.text
    assert f"Error handling request /status/{MASK}/" in caplog.text


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("GET /status/abc_DEF-123/ HTTP/1.1", f"GET /status/{MASK}/ HTTP/1.1"),
        ("Not Found: /api/v1/requests/status/abc/", f"Not Found: /api/v1/requests/status/{MASK}/"),
        (
            "GET /accounts/password-reset/MQ/cx2n1a-0b1c2d3e4f/ HTTP/1.1",
            f"GET /accounts/password-reset/MQ/{MASK}/ HTTP/1.1",
        ),
        # No secret in these: left as they are.
        (
            "GET /accounts/password-reset/MQ/set-password/ HTTP/1.1",
            "GET /accounts/password-reset/MQ/set-password/ HTTP/1.1",
        ),
        (
            "POST /api/v1/consultants/7/status/ HTTP/1.1",
            "POST /api/v1/consultants/7/status/ HTTP/1.1",
        ),
        (
            "GET /accounts/password-reset/sent/ HTTP/1.1",
            "GET /accounts/password-reset/sent/ HTTP/1.1",
        ),
    ],
)
def test_mask_hides_the_secret_segment_only(line, masked):
    assert mask(line) == masked
