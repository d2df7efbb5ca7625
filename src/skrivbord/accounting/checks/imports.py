"""Findings about the imported file itself (checks 6 and 7 of ACCOUNTING.md §4.2).

The books do not remember which records a file had, nor its checksum, so these checks are
made once, from what the SIE reader and the importer reported, right after an import; the
findings stay until the next import of the same fiscal year. Pure Python, like rules.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from skrivbord.accounting.checks.rules import INFO, WARNING, Finding, make_finding

_LABEL = re.compile(r"#([A-Z]+)")


@dataclass(frozen=True)
class ImportedFile:
    """What an import said about its file: type ("1", "2", "3", "4E", "4I"), organisation
    number, encoding, and its warnings as (code, line, message)."""

    kind: str
    org_number: str
    encoding: str
    warnings: tuple[tuple[str, int, str], ...] = ()


def import_findings(imported: ImportedFile) -> list[Finding]:
    findings: list[Finding] = []
    by_code: dict[str, list[tuple[int, str]]] = {}
    for code, line, message in imported.warnings:
        by_code.setdefault(code, []).append((line, message))
    for code, finding_code in (
        ("record_not_allowed", "type_forbidden_records"),
        ("missing_record", "type_missing_records"),
    ):
        if code in by_code:
            labels = _labels(message for _line, message in by_code[code])
            findings.append(
                make_finding(
                    "file_type",
                    WARNING,
                    finding_code,
                    finding_code,
                    {
                        "type": imported.kind,
                        "labels": labels,
                        "line": min(line for line, _message in by_code[code]),
                    },
                )
            )
    if "missing_sie_type" in by_code:
        findings.append(make_finding("file_type", WARNING, "type_missing_sietyp", "sietyp", {}))
    if not imported.org_number.strip():
        findings.append(make_finding("file_type", INFO, "no_org_number", "orgnr", {}))
    if "checksum_file_encoding" in by_code:
        findings.append(
            make_finding(
                "checksum",
                INFO,
                "checksum_file_encoding",
                "ksumma",
                {"encoding": imported.encoding},
            )
        )
    return findings


def _labels(messages: Iterable[str]) -> str:
    """The record labels the warnings name (#IB, #UB, ...): labels are never translated."""
    found: list[str] = []
    for message in messages:
        match = _LABEL.search(message)
        if match and f"#{match.group(1)}" not in found:
            found.append(f"#{match.group(1)}")
    return ", ".join(found)
