from __future__ import annotations

import signal
import socket
import subprocess
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase

from tests.cli.processes import clean_env, free_port, skrivbord, wait_for_http


class ServeOptionTests(SimpleTestCase):
    def serve(self, *args: str) -> None:
        call_command("serve", "--no-migrate", "--no-collectstatic", *args, stdout=StringIO())

    def test_it_refuses_a_port_that_is_taken(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            with pytest.raises(CommandError, match=f"127.0.0.1:{port} is already in use."):
                self.serve("--port", str(port))

    def test_it_refuses_nonsense_numbers(self) -> None:
        for option, value, message in (
            ("--workers", "0", "--workers must be at least 1."),
            ("--threads", "0", "--threads must be at least 1."),
            ("--port", "70000", "--port must be between 1 and 65535."),
            ("--shutdown-timeout", "0", "--shutdown-timeout must be at least 1 second."),
        ):
            with self.subTest(option=option), pytest.raises(CommandError, match=message):
                self.serve(option, value)


def test_serve_answers_http_and_stops_cleanly_on_sigterm() -> None:
    """The production path on a fresh machine: migrate, collect static files, serve, stop."""
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = clean_env(Path(data_dir), SKRIVBORD_HTTPS="0", ALLOWED_HOSTS="127.0.0.1")
        process = subprocess.Popen(  # noqa: S603 -- our own interpreter, fixed arguments
            skrivbord("serve", "--port", str(port), "--shutdown-timeout", "5"),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=data_dir,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            assert wait_for_http(process, f"{base}/login/") == 200
            # Collected into the data directory and served by whitenoise, DEBUG off.
            assert wait_for_http(process, f"{base}/static/skrivbord/skrivbord.css") == 200
            assert (Path(data_dir) / "static" / "staticfiles.json").exists()
            process.send_signal(signal.SIGTERM)  # what systemd sends
            output, _ = process.communicate(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode == 0, output
    assert f"skrivbord is starting on http://127.0.0.1:{port}/" in output
    assert "Applying core.0001_initial... OK" in output
    assert output.rstrip().endswith("skrivbord has stopped."), output


def test_a_command_error_exits_with_status_1_and_the_message() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        result = subprocess.run(  # noqa: S603 -- our own interpreter, fixed arguments
            skrivbord("company_create", "--name", "Nordin Bygg AB", "--orgnr", "556036-0794"),
            env=clean_env(Path(data_dir)),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "CommandError: --orgnr: 556036-0794 is not a valid Swedish organisation number: "
        "the check digit is wrong.\n"
    )
