"""Throwaway database names: unique, parseable, and telling a finished run from a live one."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from verifier.db import naming


def test_names_are_unique_and_parse_back_to_this_run() -> None:
    first, second = naming.next_database_name(), naming.next_database_name()
    assert first != second
    parsed = naming.parse(first)
    assert parsed is not None
    assert parsed.owner == naming.current_run()
    assert parsed.owner.pid == os.getpid()
    assert len(first) <= 63  # PostgreSQL's identifier limit


def test_names_not_made_by_the_project_do_not_parse() -> None:
    for name in (
        "postgres",
        "rda_app",
        "rda_zzzzzz_1_2_3",
        "rda_abcdef_1_2",
        "app_rda_abcdef_1_2_3",
    ):
        assert naming.parse(name) is None
        assert naming.is_leftover(name, max_age=0) is False


def test_this_runs_own_databases_are_never_leftovers() -> None:
    assert naming.is_leftover(naming.next_database_name(), max_age=0) is False


def test_same_host_dead_owner_is_a_leftover_live_owner_is_not() -> None:
    here, now = naming.host_tag(), int(time.time())
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live_since = int(time.time())
        dead = naming.RunTag(here, finished.pid, now).database_name(1)
        live = naming.RunTag(here, running.pid, live_since).database_name(1)
        # The pid is alive, but its process started after that run: the pid was reused.
        reused = naming.RunTag(here, running.pid, live_since - 600).database_name(1)
        assert naming.is_leftover(dead, max_age=1e9) is True
        assert naming.is_leftover(live, max_age=0) is False
        assert naming.is_leftover(reused, max_age=1e9) is True
    finally:
        running.kill()
        running.wait()


def test_other_host_names_expire_by_age_only() -> None:
    other = "000000" if naming.host_tag() != "000000" else "111111"
    now = 1_800_000_000.0
    old = naming.RunTag(other, os.getpid(), int(now) - 3601).database_name(1)
    recent = naming.RunTag(other, os.getpid(), int(now) - 60).database_name(1)
    assert naming.is_leftover(old, max_age=3600, now=now) is True
    assert naming.is_leftover(recent, max_age=3600, now=now) is False
