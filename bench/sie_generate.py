"""A realistic SIE 4E file with N transactions: the command line of our books generator.

    uv run python bench/sie_generate.py                      # 1,000,000 rows -> sie-1000000.se
    uv run python bench/sie_generate.py -n 50000 -o /tmp/demo.se --seed 7
    uv run python bench/sie_generate.py -n 8000 --year 2026 --years 2 --until 2026-11-27

The generator itself is `skrivbord.accounting.sie.generate` (Django-free, in the package, so
the demo company's books come from it too); see its docstring for what the books hold.
`from bench.sie_generate import generate` (or `from sie_generate import generate` from this
folder) keeps working for the other benchmarks and tests. Seeded: the same arguments give
the same bytes.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from skrivbord.accounting.sie.generate import GeneratedFile, generate

__all__ = ["GeneratedFile", "generate", "main"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--transactions", type=int, default=1_000_000)
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--year", type=int, default=2025, help="the last fiscal year")
    parser.add_argument("--years", type=int, default=1, help="fiscal years with vouchers")
    parser.add_argument(
        "--until", type=datetime.date.fromisoformat, help="no voucher after this day"
    )
    args = parser.parse_args()
    output = args.output or Path(f"sie-{args.transactions}.se")
    result = generate(
        output,
        transactions=args.transactions,
        seed=args.seed,
        year=args.year,
        years=args.years,
        until=args.until,
    )
    size = output.stat().st_size
    print(
        f"{output}: {result.transactions:,} transactions in {result.vouchers:,} vouchers, "
        f"{size / 1e6:.1f} MB, written in {result.seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
