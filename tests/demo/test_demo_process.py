"""`skrivbord demo` as a user runs it: a real process, in a clean environment."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path

from tests.cli.processes import clean_env, free_port, skrivbord, wait_for_http


def test_demo_no_serve_prepares_its_own_data_directory() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        # A DATABASE_URL exported for a production installation must not reach the demo.
        env = clean_env(DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing")
        result = subprocess.run(  # noqa: S603 -- our own interpreter, fixed arguments
            skrivbord("demo", "--no-serve", "--data-dir", data_dir),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=data_dir,
        )
        assert result.returncode == 0, result.stderr
        assert (Path(data_dir) / "skrivbord.sqlite3").exists()
        assert (Path(data_dir) / "secret_key").exists()
    lines = result.stdout.splitlines()
    assert lines[0] == f"Data directory: {Path(data_dir).resolve()}"
    assert "Demoföretaget AB and Dotterbolaget Norr AB, 252 contacts and" in lines[1]
    assert result.stderr == ""


def test_demo_serves_the_login_page_and_stops_on_ctrl_c() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        process = subprocess.Popen(  # noqa: S603 -- our own interpreter, fixed arguments
            skrivbord("demo", "--port", str(port), "--data-dir", data_dir),
            env=clean_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=data_dir,
            # Its own process group, so that Ctrl-C can be sent as a terminal sends it: to
            # the server and its worker processes at once.
            start_new_session=True,
        )
        try:
            assert wait_for_http(process, f"http://127.0.0.1:{port}/login/") == 200
            os.killpg(process.pid, signal.SIGINT)
            output, _ = process.communicate(timeout=10)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert process.returncode == 0, output
    assert (
        f"skrivbord demo is running: http://127.0.0.1:{port}/\n"
        "  E-mail:   demo@skrivbord.se\n"
        "  Password: demo-skrivbord\n"
        "Press Ctrl-C to stop.\n"
    ) in output
    assert "Granian shutdown completed" in output
