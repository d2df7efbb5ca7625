"""SIE parse throughput: our reader against forsslund/sie-parser and the line-reading floor.

    uv run python bench/sie_parse.py                     # the real file + 1,000,000 rows
    uv run python bench/sie_parse.py --transactions 100000 --runs 5
    uv run python bench/sie_parse.py --forsslund /path/to/sie-parser   # a checkout or git dir

forsslund/sie-parser (the most complete pure-Python SIE reader we found) is loaded at run
time from its mirror (`fetch github:forsslund/sie-parser`, a bare git directory under
/work/.mirror): its `sie_parser.py` is taken out of git into a temporary directory and
imported from there. None of its code is part of skrivbord.

Inputs: the largest real file of the shared corpus (idstam__jsisie__transaktioner_ovnbolag.se)
and a generated 4E file (bench/sie_generate.py, kept in the temp directory between runs).
Each contender runs `--runs` times; the best CPU time counts (other processes on the machine
disturb wall-clock time far more). Rows are #TRANS rows; records are all records a reader
returns. The floor is reading the bytes, decoding codepage 437 and splitting the lines.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.sie_generate import generate  # noqa: E402
from skrivbord.accounting.sie.model import RowKind, Voucher  # noqa: E402
from skrivbord.accounting.sie.reader import SieReader, read  # noqa: E402

MIRROR = Path("/work/.mirror/forsslund+sie-parser/repo")
REAL_FILE = "idstam__jsisie__transaktioner_ovnbolag.se"


def load_forsslund(location: Path, workdir: Path) -> ModuleType:
    """Import sie_parser.py from a checkout, or from a (bare) git directory via git show."""
    source = location / "sie_parser.py"
    if not source.is_file():
        source = workdir / "sie_parser.py"
        text = subprocess.run(
            ["git", "--git-dir", str(location), "show", "HEAD:sie_parser.py"],
            check=True,
            capture_output=True,
        ).stdout
        source.write_bytes(text)
    spec = importlib.util.spec_from_file_location("forsslund_sie_parser", source)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best_cpu(fn: Callable[[], tuple[int, int]], runs: int) -> tuple[float, int, int]:
    best = float("inf")
    result = (0, 0)
    for _ in range(runs):
        started = time.process_time()
        result = fn()
        best = min(best, time.process_time() - started)
    return best, *result


def contenders(path: Path, forsslund: ModuleType) -> dict[str, Callable[[], tuple[int, int]]]:
    def floor() -> tuple[int, int]:
        lines = path.read_bytes().decode("cp437").splitlines()
        return 0, len(lines)

    def ours_streaming() -> tuple[int, int]:
        rows = records = 0
        for record in SieReader(path):
            records += 1
            if type(record) is Voucher:
                rows += sum(1 for r in record.rows if r.kind is RowKind.TRANS)
                records += len(record.rows)
        return rows, records

    def ours_read() -> tuple[int, int]:
        sie = read(path)
        rows = sum(1 for v in sie.vouchers for r in v.rows if r.kind is RowKind.TRANS)
        return rows, 0

    def theirs() -> tuple[int, int]:
        parsed = forsslund.parse_sie_file(str(path))
        return len(parsed.entries), 0

    return {
        "floor: decode + split lines": floor,
        "skrivbord, streamed (SieReader)": ours_streaming,
        "skrivbord, whole file (read)": ours_read,
        "forsslund/sie-parser": theirs,
    }


def measure(title: str, path: Path, forsslund: ModuleType, runs: int) -> dict[str, float]:
    size = path.stat().st_size
    print(f"\n{title}: {path.name}, {size / 1e6:.1f} MB, best CPU time of {runs} runs")
    print(
        f"{'':34} {'rows':>10} {'seconds':>9} {'rows/s':>11} {'vs forsslund':>13} {'vs floor':>9}"
    )
    times: dict[str, float] = {}
    rows: dict[str, int] = {}
    for name, fn in contenders(path, forsslund).items():
        seconds, n_rows, _ = best_cpu(fn, runs)
        times[name] = seconds
        rows[name] = n_rows
    theirs = times["forsslund/sie-parser"]
    floor = times["floor: decode + split lines"]
    for name, seconds in times.items():
        per_second = f"{rows[name] / seconds:,.0f}" if rows[name] else "-"
        print(
            f"{name:34} {rows[name] or '-':>10} {seconds:9.3f} {per_second:>11} "
            f"{theirs / seconds:12.2f}x {seconds / floor:8.1f}x"
        )
    ours = {k: v for k, v in rows.items() if k.startswith("skrivbord")}
    if len(set(ours.values()) | {rows["forsslund/sie-parser"]}) != 1:
        print(f"  note: the readers count different rows: {rows}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--forsslund", type=Path, default=MIRROR)
    parser.add_argument("--real-file", type=Path)
    args = parser.parse_args()

    shared = Path(os.environ.get("SKRIVBORD_SHARED_DATA", ROOT.parent / "shared" / "data"))
    real = args.real_file or shared / "sie" / REAL_FILE
    workdir = Path(tempfile.gettempdir()) / "skrivbord-bench-sie"
    workdir.mkdir(exist_ok=True)
    forsslund = load_forsslund(args.forsslund, workdir)

    generated = workdir / f"sie-{args.transactions}.se"
    if not generated.exists():
        print(f"generating {generated} ...", flush=True)
        generate(generated, transactions=args.transactions)

    if real.is_file():
        measure("Largest real file", real, forsslund, max(args.runs, 10))
    else:
        print(f"(no real file at {real}; set SKRIVBORD_SHARED_DATA)")
    measure(f"Generated 4E file, {args.transactions:,} rows", generated, forsslund, args.runs)


if __name__ == "__main__":
    main()
