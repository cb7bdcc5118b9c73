"""Settings come from the environment and refuse values that cannot be right."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from network.env import env_bool, env_int, env_list, env_str, parse_email_url
from tests.helpers import settings_in_a_new_process

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SECRET = "a-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-XYZ"


def _manage(*args, **environment):
    env = {"PATH": os.environ["PATH"], "HOME": str(ROOT), **environment}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_values(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=PRODUCTION_SECRET,
        ALLOWED_HOSTS="switchboard.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="switchboard.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage("check", DEBUG="0", SECRET_KEY="short", ALLOWED_HOSTS="x.example.org")
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_a_mistyped_boolean_stops_the_process():
    result = _manage("check", DEBUG="flase")
    assert result.returncode != 0
    assert "DEBUG='flase' is not a boolean" in result.stderr


def test_env_bool_reads_common_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", default=False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", default=True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", default=True) is True


def test_env_int_refuses_words_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("WORKERS", "two")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("WORKERS", 1)
    monkeypatch.setenv("WORKERS", "0")
    with pytest.raises(ImproperlyConfigured, match="below the minimum"):
        env_int("WORKERS", 1, minimum=1)
    monkeypatch.setenv("WORKERS", "4")
    assert env_int("WORKERS", 1, minimum=1) == 4


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example.org, ,b.example.org ")
    assert env_list("HOSTS", []) == ["a.example.org", "b.example.org"]


def test_required_variable_without_default_names_itself(monkeypatch):
    monkeypatch.delenv("SOMETHING_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SOMETHING_REQUIRED is required"):
        env_str("SOMETHING_REQUIRED")


def test_email_url_configures_smtp_with_starttls():
    config = parse_email_url("smtp+tls://user%40org:p%2Fss@mail.example.org:587?from=desk@x.org")
    assert config == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "user@org",
        "EMAIL_HOST_PASSWORD": "p/ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "DEFAULT_FROM_EMAIL": "desk@x.org",
    }


def test_email_url_with_unknown_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="scheme 'imap'"):
        parse_email_url("imap://mail.example.org")


def test_email_url_console_needs_no_host():
    assert parse_email_url("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")


def test_sqlite_runs_in_wal_mode(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("WAL is a SQLite setting; this run is on " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # The test database is in memory, where SQLite reports "memory"; a file database is WAL.
    assert mode in {"wal", "memory"}
    assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]


def _settings_as_seen_with(**environment) -> dict:
    return settings_in_a_new_process(
        "{'q': s.Q_CLUSTER, 'cache': s.CACHES['default']['BACKEND'], "
        "'db': s.DATABASES['default']['ENGINE']}",
        DEBUG="1",
        **environment,
    )


def test_defaults_are_sqlite_and_the_orm_broker():
    seen = _settings_as_seen_with()
    assert seen["db"] == "django.db.backends.sqlite3"
    assert seen["q"]["orm"] == "default" and "redis" not in seen["q"]
    assert seen["cache"].endswith("LocMemCache")


def test_redis_url_moves_broker_and_cache_to_redis_and_database_url_to_postgres():
    seen = _settings_as_seen_with(
        REDIS_URL="redis://127.0.0.1:6379/3",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/switchboard",
    )
    assert seen["q"]["redis"] == "redis://127.0.0.1:6379/3" and "orm" not in seen["q"]
    assert seen["cache"].endswith("RedisCache")
    assert seen["db"] == "django.db.backends.postgresql"


def _debug_with(**environment) -> str:
    return str(settings_in_a_new_process("s.DEBUG", **environment))


def test_a_bare_environment_is_a_developer_checkout():
    assert _debug_with() == "True"


def test_a_secret_key_alone_means_production():
    assert (
        _debug_with(SECRET_KEY=PRODUCTION_SECRET, ALLOWED_HOSTS="switchboard.example.org")
        == "False"
    )


def test_email_url_file_writes_each_message_to_a_folder():
    config = parse_email_url("file:///srv/switchboard/mail")
    assert config["EMAIL_BACKEND"].endswith("filebased.EmailBackend")
    assert config["EMAIL_FILE_PATH"] == "/srv/switchboard/mail"


def test_email_url_file_needs_an_absolute_folder():
    with pytest.raises(ImproperlyConfigured, match="absolute folder"):
        parse_email_url("file://mail")
