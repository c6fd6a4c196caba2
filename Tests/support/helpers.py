"""Helpers every Python test folder shares (Tests/api, Tests/ui): the stack's
settings from the environment `./microchat test` exports, unique names,
polling waits, and SQL against the stack's PostgreSQL."""
import os
import subprocess
import time
import uuid

import pytest


def require_env(name):
    """A setting `./microchat test` exports; a clear failure (never a skip) when it is missing."""
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests through ./microchat test, which starts the stack")
    return value


def unique(prefix="u"):
    """A name no other test uses (usernames, room names)."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def wait_until(predicate, timeout=15, message="condition not met", interval=0.1):
    """Polls `predicate` until it is true; fails with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"{message} (after {timeout}s)")


def as_db_owner(cmd):
    """Runs a command as the PostgreSQL owner (the postgres account when we are root)."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120).stdout


def psql(stack_data, sql):
    """One query as the database superuser over the private socket; the tests inspect storage with it."""
    port = os.environ["MICROCHAT_TEST_PG_PORT"]
    return as_db_owner(["psql", "-X", "-tA", "-h", f"{stack_data}/postgres/socket", "-p", port, "-U", "postgres",
                        "-d", "microchat", "-c", sql]).strip()
