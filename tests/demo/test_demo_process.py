"""`skrivbord demo` as a user runs it: real processes, in a clean environment."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.cli.processes import clean_env, skrivbord

DEMO_EMAIL = "demo@skrivbord.se"


def free_port_pair() -> int:
    """A port P such that P and P+1 are both free (the online node and the office node)."""
    for _attempt in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as first:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            if port >= 65535:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
        return port
    raise AssertionError("no two free ports in a row")


def node_env(data_dir: Path, node: str) -> dict[str, str]:
    """The environment the demo gives one of its nodes, for running a command there."""
    return clean_env(
        data_dir / node, SKRIVBORD_NODE=node, SKRIVBORD_MODE="demo", SKRIVBORD_HTTPS="0"
    )


def run_demo(data_dir: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 -- our own interpreter, fixed arguments
        skrivbord("demo", "--data-dir", data_dir, *args),
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        cwd=data_dir,
    )


class Demo:
    """A running `skrivbord demo`: its output read line by line as it comes."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.online = f"http://127.0.0.1:{port}"
        self.office = f"http://127.0.0.1:{port + 1}"
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        self.process = subprocess.Popen(  # noqa: S603 -- our own interpreter, fixed arguments
            skrivbord("demo", "--port", str(port), "--data-dir", str(data_dir)),
            env=clean_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            cwd=data_dir,
            # Its own process group, so that Ctrl-C can be sent as a terminal sends it.
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def wait_for_line(self, start: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"no line starting {start!r} within {timeout} s:\n{''.join(self.output)}"
                ) from None
            if line is None:
                raise AssertionError(f"the demo exited:\n{''.join(self.output)}")
            if line.startswith(start):
                return

    def ctrl_c(self) -> tuple[int, str]:
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(timeout=20)
        time.sleep(0.1)  # the reader's last lines
        return self.process.returncode, "".join(self.output)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@contextmanager
def running_demo() -> Iterator[Demo]:
    with tempfile.TemporaryDirectory() as data_dir:
        demo = Demo(Path(data_dir), free_port_pair())
        try:
            yield demo
        finally:
            demo.kill()


def api(
    url: str, token: str, method: str = "GET", body: dict[str, Any] | None = None
) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 -- our own server
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        result: dict[str, Any] = json.loads(response.read())
    return result


def poll(check: Callable[[], bool], timeout: float) -> float:
    """Seconds until `check()` holds; fails after `timeout`."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(0.1)
    return time.monotonic() - started


def tokens(data_dir: Path) -> dict[str, str]:
    """An API token of the demo user on each node, made by `token_create` in its environment."""
    processes = {
        node: subprocess.Popen(  # noqa: S603 -- our own interpreter, fixed arguments
            skrivbord("token_create", "--email", DEMO_EMAIL),
            env=node_env(data_dir, node),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for node in ("office", "online")
    }
    result = {}
    for node, process in processes.items():
        out, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        result[node] = out.strip().splitlines()[-1]
    return result


def test_the_demo_syncs_a_change_made_on_either_side_and_stops_on_ctrl_c() -> None:
    with running_demo() as demo:
        started = time.monotonic()
        demo.wait_for_line("skrivbord demo is running", timeout=40)
        banner_after = time.monotonic() - started
        token = tokens(demo.data_dir)
        [office_company] = [
            c["id"]
            for c in api(f"{demo.office}/api/v1/me", token["office"])["companies"]
            if c["name"] == "Demoföretaget AB"
        ]
        [online_company] = [
            c["id"] for c in api(f"{demo.online}/api/v1/me", token["online"])["companies"]
        ]
        office_contacts = f"{demo.office}/api/v1/companies/{office_company}/contacts"
        online_contacts = f"{demo.online}/api/v1/companies/{online_company}/contacts"

        # The first sync brings the office's 240 demo contacts to the online desktop.
        first_sync = poll(
            lambda: api(f"{online_contacts}?limit=1", token["online"])["count"] == 240, 20
        )

        # And its books: the same trial balance on both sides, opening + movement = closing.
        office_books = api(
            f"{demo.office}/api/v1/companies/{office_company}/accounting/trial-balance",
            token["office"],
        )
        online_trial_balance = (
            f"{demo.online}/api/v1/companies/{online_company}/accounting/trial-balance"
        )

        def online_has_books() -> bool:
            try:
                return api(online_trial_balance, token["online"]) == office_books
            except urllib.error.HTTPError as error:
                if error.code == 404:  # no books yet
                    return False
                raise

        books_sync = poll(online_has_books, 20)
        assert office_books["reconciles"]
        assert office_books["fiscal_year"]["start"] == f"{dt.date.today().year}-01-01"
        assert len(office_books["accounts"]) > 30

        created = api(
            office_contacts,
            token["office"],
            "POST",
            {"name": "Kontorets nya kund AB", "phone": "08-123 45 67", "is_customer": True},
        )
        online_url = f"{online_contacts}/{created['id']}"

        def online_has_it() -> bool:
            found = api(f"{online_contacts}?q=Kontorets+nya", token["online"])["items"]
            return [c["id"] for c in found] == [created["id"]]

        office_to_online = poll(online_has_it, 10)
        assert api(online_url, token["online"])["phone"] == "08-123 45 67"

        api(online_url, token["online"], "PATCH", {"phone": "08-765 43 21"})
        online_to_office = poll(
            lambda: (
                api(f"{office_contacts}/{created['id']}", token["office"])["phone"]
                == "08-765 43 21"
            ),
            10,
        )

        code, output = demo.ctrl_c()
    print(  # the timings, for `pytest -s`
        f"banner after {banner_after:.1f} s, first sync {first_sync:.1f} s later (books "
        f"{books_sync:.1f} s after that), office to "
        f"online {office_to_online:.2f} s, online to office {online_to_office:.2f} s"
    )
    assert code == 0, output
    assert "  Online desktop: " in output
    assert "Traceback" not in output
    assert output.rstrip().endswith("skrivbord demo has stopped."), output


def test_no_serve_prepares_and_pairs_both_nodes_and_a_second_run_adds_nothing() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        # A DATABASE_URL exported for a production installation must not reach the demo.
        first = run_demo(
            data_dir, "--no-serve", DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing"
        )
        second = run_demo(data_dir, "--no-serve")
        for node in ("office", "online"):
            assert (Path(data_dir) / node / "skrivbord.sqlite3").exists()
            assert (Path(data_dir) / node / "secret_key").exists()
        keys = {(Path(data_dir) / n / "secret_key").read_text() for n in ("office", "online")}
        assert len(keys) == 2
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stderr == ""
    lines = first.stdout.splitlines()
    assert lines[0] == f"Data directory: {Path(data_dir).resolve()}"
    assert re.fullmatch(
        r"Office system: Demoföretaget AB and Dotterbolaget Norr AB, 252 contacts and 326 "
        r"contact persons added, books with \d,\d{3} vouchers imported \(\d+\.\d s\), "
        r"a calendar of \d+ activities made\.",
        lines[1],
    ), lines[1]
    assert lines[2].startswith("Online desktop: Demoföretaget AB and the demo user;")
    assert lines[3] == "Paired the office system with the online desktop."
    assert second.returncode == 0, second.stdout + second.stderr
    again = second.stdout.splitlines()
    assert again[1] == "Office system: Demoföretaget AB and Dotterbolaget Norr AB, as before."
    assert not any(line.startswith("Paired") for line in again), second.stdout


def test_it_refuses_a_taken_port_before_starting_anything() -> None:
    port = free_port_pair()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        # The office's port (PORT+1) is the taken one.
        taken.bind(("127.0.0.1", port + 1))
        taken.listen()
        with tempfile.TemporaryDirectory() as data_dir:
            result = run_demo(data_dir, "--port", str(port))
            assert not (Path(data_dir) / "office").exists()
    assert result.returncode == 1
    assert f"127.0.0.1:{port + 1} is already in use." in result.stderr
    assert "office system" in result.stderr
