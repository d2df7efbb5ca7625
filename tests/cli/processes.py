"""Running `python -m skrivbord ...` as a real process, in an environment of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# Only what a process needs to start; everything the test run set (DJANGO_SETTINGS_MODULE,
# SKRIVBORD_DATA_DIR, SECRET_KEY, DATABASE_URL...) stays out, as on a fresh machine.
_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TEMP", "TMP", "SYSTEMROOT", "USERPROFILE")


def clean_env(data_dir: Path | None = None, **extra: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in _KEEP if name in os.environ}
    env["PYTHONUNBUFFERED"] = "1"
    if data_dir is not None:
        env["SKRIVBORD_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def skrivbord(*args: str) -> list[str]:
    return [sys.executable, "-m", "skrivbord", *args]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_http(process: subprocess.Popen[str], url: str, timeout: float = 15) -> int:
    """The status of GET url once the server answers; fails if the process dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"the server exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 -- our URL
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"no answer from {url} within {timeout} s")
