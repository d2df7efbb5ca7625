"""`skrivbord demo`: an office node, the online node and the sync agent, as child processes.

Settings are read from the environment once per process, so each node runs in processes of
its own: `skrivbord demo --node NODE --step STEP` in that node's environment (data
directory `online/` or `office/` of the demo's, `SKRIVBORD_NODE`), see `nodes.py` and the
demo command. This parent prepares both nodes, pairs them once, serves both, starts the
agent, and on Ctrl-C or SIGTERM stops the agent first and then the servers.

The children run in process groups of their own, so a Ctrl-C in the terminal reaches only
this process, which then stops them in order. A long-running child also exits when its
standard input closes, i.e. when this process is gone, however it ended.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any

from django.core.management.base import CommandError

from skrivbord import server
from skrivbord.demo.loader import DEMO_EMAIL, DEMO_PASSWORD
from skrivbord.demo.nodes import NodeState

OFFICE = "office"
ONLINE = "online"
# A demo always uses its own embedded SQLite databases and secret keys (generated once per
# node data directory), never those of an installation exported in this shell.
_NOT_INHERITED = ("DATABASE_URL", "DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "SKRIVBORD_DEMO_DIR")

#: Seconds to wait for a node to answer HTTP, for the agent to start, for a step to finish.
START_TIMEOUT = 60.0
STEP_TIMEOUT = 300.0
#: After Ctrl-C: how long the agent and then the servers get before they are killed. The
#: agent may be waiting in a long poll; killing it is safe (each batch is one transaction).
AGENT_STOP_SECONDS = 5.0
SERVER_STOP_SECONDS = 6.0
#: Lines of a child's output kept for the message when it dies.
TAIL_LINES = 15


class Stopped(Exception):
    """Ctrl-C, SIGTERM or SIGHUP arrived: stop everything and exit cleanly."""


def node_env(node: str, data_dir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in _NOT_INHERITED}
    env.update(
        DJANGO_SETTINGS_MODULE="skrivbord.settings",
        SKRIVBORD_DATA_DIR=str(data_dir),
        SKRIVBORD_NODE=node,
        SKRIVBORD_MODE="demo",
        SKRIVBORD_HTTPS="0",
        PYTHONUNBUFFERED="1",
        PYTHONUTF8="1",
    )
    return env


def skrivbord_args(*args: str) -> list[str]:
    return [sys.executable, "-m", "skrivbord", *args]


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def loopback_host(host: str) -> str:
    """Where this machine reaches a server listening on `host` (a wildcard means loopback)."""
    if host in {"", "0.0.0.0"}:  # noqa: S104 (an address we connect to, not bind)
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return url_host(host)


def _popen(args: list[str], env: dict[str, str], *, stdin: int | None) -> subprocess.Popen[str]:
    """A child in a process group of its own: Ctrl-C in the terminal reaches only the parent."""
    common: dict[str, Any] = {
        "env": env,
        "stdin": stdin,
        "stdout": subprocess.PIPE,
        "stderr": subprocess.STDOUT,
        "encoding": "utf-8",
        "errors": "replace",
    }
    if sys.platform == "win32":
        return subprocess.Popen(  # noqa: S603 (our own interpreter, our arguments)
            args, creationflags=subprocess.CREATE_NEW_PROCESS_GROUP, **common
        )
    return subprocess.Popen(args, process_group=0, **common)  # noqa: S603


class Child:
    """A child process whose output is kept (the last lines) and logged to a file."""

    def __init__(
        self,
        label: str,
        args: list[str],
        env: dict[str, str],
        *,
        log_path: Path | None = None,
        on_line: Callable[[str], None] | None = None,
        stdin: int | None = subprocess.DEVNULL,
        has_workers: bool = False,
    ) -> None:
        self.label = label
        #: It starts processes of its own (granian's workers), in its process group.
        self.has_workers = has_workers
        self.on_line = on_line
        self.tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self.output: list[str] = []
        self.log: IO[str] | None = (
            log_path.open("w", encoding="utf-8") if log_path is not None else None
        )
        self.process = _popen(args, env, stdin=stdin)
        self.reader = threading.Thread(target=self._read, name=f"demo-{label}", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.rstrip("\r\n")
            self.tail.append(line)
            if self.log is not None:
                self.log.write(raw)
                self.log.flush()
            else:
                self.output.append(line)
            if self.on_line is not None:
                self.on_line(line)
        if self.log is not None:
            self.log.close()

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def failure(self, what: str) -> CommandError:
        self.kill()  # what is left of it: a dead server's workers would keep its output open
        self.reader.join(timeout=2)
        lines = "\n".join(f"  {line}" for line in self.tail) or "  (no output)"
        code = self.process.returncode
        how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        return CommandError(f"The {self.label} {what} ({how}). Its last lines:\n{lines}")

    def terminate(self) -> None:
        """Ask it to stop as Ctrl-C would (granian and the agent stop cleanly on it)."""
        if not self.running:
            return
        if sys.platform == "win32":
            self.process.send_signal(signal.CTRL_BREAK_EVENT)
        else:
            self.process.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        if sys.platform == "win32":
            if self.running:
                self.process.kill()
            return
        if not self.running and not self.has_workers:
            return
        # The whole group, even when its leader is gone: a server's worker processes too.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            return

    def wait(self, timeout: float) -> bool:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.reader.join(timeout=2)


@dataclass(frozen=True)
class Node:
    name: str
    label: str
    data_dir: Path
    port: int

    @property
    def env(self) -> dict[str, str]:
        return node_env(self.name, self.data_dir)

    def step(self, step: str, *extra: str) -> list[str]:
        return skrivbord_args(
            "demo", "--data-dir", str(self.data_dir), "--node", self.name, "--step", step, *extra
        )


@contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """One demo per data directory: a second would share the nodes' databases and agent."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / "demo.lock").open("a+b") as handle:
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            raise CommandError(
                f"Another skrivbord demo is running with the data directory {data_dir}. "
                "Stop it first, or choose another with --data-dir."
            ) from error
        yield


class DemoLauncher:
    def __init__(
        self, *, data_dir: Path, host: str, port: int, write: Callable[[str], None]
    ) -> None:
        if not 0 < port < 65535:
            raise CommandError("--port must be between 1 and 65534 (the office uses the next).")
        self.data_dir = data_dir
        self.host = host
        self.online = Node(ONLINE, "online desktop", data_dir / ONLINE, port)
        self.office = Node(OFFICE, "office system", data_dir / OFFICE, port + 1)
        self.online_url = f"http://{loopback_host(host)}:{port}"
        self._write = write
        self._write_lock = threading.Lock()
        self.stop_requested = threading.Event()
        self.children: list[Child] = []
        self.servers: list[Child] = []
        self.agent: Child | None = None
        self._forward_agent = False

    # --- output ------------------------------------------------------------------------------

    def write(self, text: str) -> None:
        with self._write_lock:
            self._write(text)

    def _agent_line(self, line: str) -> None:
        # Once the demo runs, the agent's messages (received changes, problems) are shown.
        if self._forward_agent and line.strip():
            self.write(f"sync: {line}")

    # --- the whole run -----------------------------------------------------------------------

    def run(self, *, serve: bool) -> None:
        if serve:
            for node in (self.online, self.office):
                self._check_port(node)
        with data_dir_lock(self.data_dir), self._signals():
            try:
                self._run(serve=serve)
            except Stopped:
                self.write("Stopping...")
            finally:
                self._shutdown()
        if serve:
            self.write("skrivbord demo has stopped.")

    def _run(self, *, serve: bool) -> None:
        started = time.monotonic()
        self.write(f"Data directory: {self.data_dir}")
        office, online = self._prepare()
        paired = office.paired_with == online.company_id and online.paired_with == (
            office.company_id
        )
        if not serve:
            if not paired:
                # Pairing is an HTTP exchange with the online node: serve it for that moment.
                self._check_port(self.online)
                self._pair(office, online, self._serve(self.online))
            self.write(f"Demo ready in {time.monotonic() - started:.1f} s.")
            return
        online_server = self._serve(self.online)
        office_server = self._serve(self.office)
        if not paired:
            self._pair(office, online, online_server)
        self._wait_for_http(online_server, self.online)
        self._wait_for_http(office_server, self.office)
        agent = self._start_agent(office.company_id)
        self.write(f"Started in {time.monotonic() - started:.1f} s.")
        self._banner(office, online)
        self._forward_agent = True
        self._watch([online_server, office_server, agent])

    # --- preparing and pairing ---------------------------------------------------------------

    def _prepare(self) -> tuple[NodeState, NodeState]:
        # Both at once: separate databases, and most of the time is each process starting.
        office = self._start_step(self.office, "prepare", "--online-url", self.online_url)
        online = self._start_step(self.online, "prepare")
        office_state = NodeState.parse(self._finish_step(office, "could not prepare its data"))
        online_state = NodeState.parse(self._finish_step(online, "could not prepare its data"))
        added = []
        if office_state.contacts_created:
            added.append(
                f"{office_state.contacts_created} contacts and "
                f"{office_state.persons_created} contact persons added"
            )
        if office_state.vouchers_created:
            added.append(
                f"books with {office_state.vouchers_created:,} vouchers imported "
                f"({office_state.books_seconds:.1f} s)"
            )
        if office_state.activities_created:
            added.append(f"a calendar of {office_state.activities_created} activities made")
        detail = ", ".join(added) or "as before"
        self.write(f"Office system: {office_state.companies}, {detail}.")
        self.write(
            f"Online desktop: {online_state.companies} and the demo user; the contacts and the "
            "books come from the office by sync."
        )
        return office_state, online_state

    def _pair(self, office: NodeState, online: NodeState, online_server: Child) -> None:
        # Half a pairing is left when one node's data directory was deleted: end that half.
        stale = []
        if office.paired_with is not None:
            stale.append(
                self._start_step(self.office, "unpair", "--company", str(office.company_id))
            )
        if online.paired_with is not None:
            stale.append(
                self._start_step(self.online, "unpair", "--company", str(online.company_id))
            )
        for child in stale:
            self._finish_step(child, "could not end an old connection")
        token_step = self._start(
            f"{self.online.label} (pairing token)",
            skrivbord_args(
                "sync_token_create", "--company", str(online.company_id), "--hours", "1"
            ),
            self.online.env,
        )
        token = self._finish_step(token_step, "could not make a pairing token").splitlines()[-1]
        self._wait_for_http(online_server, self.online)
        connect = self._start(
            f"{self.office.label} (connecting)",
            skrivbord_args(
                "sync_connect",
                "--company",
                str(office.company_id),
                "--url",
                self.online_url,
                "--token",
                "-",
            ),
            self.office.env,
            stdin=subprocess.PIPE,
        )
        assert connect.process.stdin is not None
        # The token goes on standard input, not on a command line other users can list.
        connect.process.stdin.write(token + "\n")
        connect.process.stdin.close()
        self._finish_step(connect, "could not connect to the online desktop")
        self.write("Paired the office system with the online desktop.")

    # --- serving -----------------------------------------------------------------------------

    def _check_port(self, node: Node) -> None:
        try:
            server.check_address(self.host, node.port)
        except server.AddressInUse as error:
            raise CommandError(
                f"{error} The demo needs it for the {node.label}; choose other ports with "
                f"--port (the online desktop uses PORT, the office system PORT+1)."
            ) from error

    def _serve(self, node: Node) -> Child:
        child = self._start(
            f"{node.label} server",
            node.step("serve", "--host", self.host, "--port", str(node.port)),
            node.env,
            log_path=node.data_dir / "server.log",
            stdin=subprocess.PIPE,
            has_workers=True,
        )
        self.servers.append(child)
        return child

    def _wait_for_http(self, child: Child, node: Node) -> None:
        url = f"http://{loopback_host(self.host)}:{node.port}/login/"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            self._check_stop()
            if not child.running:
                raise child.failure("did not start")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.05)
        raise CommandError(f"The {node.label} did not answer at {url} within {START_TIMEOUT} s.")

    def _start_agent(self, company_id: uuid.UUID) -> Child:
        ready = threading.Event()

        def on_line(line: str) -> None:
            if line.startswith("Syncing "):
                ready.set()
            self._agent_line(line)

        self.agent = self._start(
            "sync agent",
            self.office.step("agent", "--company", str(company_id)),
            self.office.env,
            log_path=self.office.data_dir / "sync.log",
            on_line=on_line,
            stdin=subprocess.PIPE,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not ready.wait(0.05):
            self._check_stop()
            if not self.agent.running:
                raise self.agent.failure("did not start")
            if time.monotonic() > deadline:
                raise CommandError(f"The sync agent did not start within {START_TIMEOUT} s.")
        return self.agent

    def _banner(self, office: NodeState, online: NodeState) -> None:
        host = url_host(self.host)
        changed = [
            n.label for n, s in ((self.online, online), (self.office, office)) if not s.password_ok
        ]
        note = (
            f" (changed on the {' and the '.join(changed)} since the demo was created, so it "
            "no longer works there)"
            if changed
            else ""
        )
        self.write(
            "\nskrivbord demo is running:\n"
            f"  Online desktop: http://{host}:{self.online.port}/\n"
            f"  Office system:  http://{host}:{self.office.port}/\n"
            f"  E-mail:   {DEMO_EMAIL}\n"
            f"  Password: {DEMO_PASSWORD}{note}\n"
            "A change made on one side shows on the other within a few seconds.\n"
            "Press Ctrl-C to stop.\n"
        )

    def _watch(self, children: list[Child]) -> None:
        """Until Ctrl-C: a child that dies takes the demo down, saying which and why."""
        while not self.stop_requested.wait(0.2):
            for child in children:
                if not child.running:
                    raise child.failure("stopped unexpectedly")
        raise Stopped

    # --- children ----------------------------------------------------------------------------

    def _start(
        self,
        label: str,
        args: list[str],
        env: dict[str, str],
        *,
        log_path: Path | None = None,
        on_line: Callable[[str], None] | None = None,
        stdin: int | None = subprocess.DEVNULL,
        has_workers: bool = False,
    ) -> Child:
        self._check_stop()
        child = Child(
            label,
            args,
            env,
            log_path=log_path,
            on_line=on_line,
            stdin=stdin,
            has_workers=has_workers,
        )
        self.children.append(child)
        return child

    def _start_step(self, node: Node, step: str, *extra: str) -> Child:
        return self._start(node.label, node.step(step, *extra), node.env)

    def _finish_step(self, child: Child, what: str) -> str:
        """Wait for a short step; its output, or a CommandError saying what went wrong."""
        deadline = time.monotonic() + STEP_TIMEOUT
        while not child.wait(0.05):
            self._check_stop()
            if time.monotonic() > deadline:
                child.kill()
                raise CommandError(f"The {child.label} took too long ({what}).")
        child.reader.join(timeout=5)
        if child.process.returncode != 0:
            raise child.failure(what)
        return "\n".join(child.output)

    def _check_stop(self) -> None:
        if self.stop_requested.is_set():
            raise Stopped

    def _shutdown(self) -> None:
        """The agent first (so it never sees a server vanish mid-exchange), then the servers."""
        if self.agent is not None and self.agent.running:
            self.agent.terminate()
            if not self.agent.wait(AGENT_STOP_SECONDS):
                self.agent.kill()
        for child in self.servers:
            child.terminate()
        deadline = time.monotonic() + SERVER_STOP_SECONDS
        for child in self.servers:
            if not child.wait(max(0.0, deadline - time.monotonic())):
                child.kill()
        for child in self.children:
            child.kill()  # anything else still running: a step cut short by Ctrl-C
            child.wait(5)
            child.close()

    # --- signals -----------------------------------------------------------------------------

    @contextmanager
    def _signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # only the main thread can take signals (e.g. a test calling the command)
            return
        names = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"]
        signals = [getattr(signal, name) for name in names if hasattr(signal, name)]

        def handler(signum: int, frame: FrameType | None) -> None:
            self.stop_requested.set()

        previous = {sig: signal.signal(sig, handler) for sig in signals}
        try:
            yield
        finally:
            for sig, old in previous.items():
                signal.signal(sig, old)
