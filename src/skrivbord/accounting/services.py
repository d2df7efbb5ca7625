"""Writes of the accounting web pages: SIE uploads imported outside the request, and a new
company's chart of accounts from the BAS file its user downloaded.

The books themselves are written only by the importer (`importer.books_import`), which
checks the rights, refuses on the online node and captures every change for the sync.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skrivbord.accounting import chartfile
from skrivbord.accounting.importer import ImportRefused, ImportResult, books_import
from skrivbord.accounting.models import Account, SieUpload, UploadState
from skrivbord.core.access import CompanyAccess, company_access
from skrivbord.core.models import User
from skrivbord.sync import actor

logger = logging.getLogger(__name__)

#: The largest SIE file the web upload takes (a million transactions are about 55 MB).
MAX_UPLOAD_BYTES: int = getattr(settings, "SIE_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
#: The largest chart of accounts file (the BAS workbook is about 200 KB).
MAX_CHART_BYTES = 5 * 1024 * 1024
#: How often the progress of a running import is written to the database, in seconds.
PROGRESS_INTERVAL = 0.5
#: An unfinished upload that no thread of this process runs and that has not moved for this
#: long was cut off by a restart; it is reported as failed (the import is atomic, so nothing
#: of it was imported).
STALE_AFTER = timedelta(minutes=10)

#: Runs an upload's import outside the request. Tests replace it to run inline.
Starter = Callable[[Callable[[], None]], None]


def _start_thread(work: Callable[[], None]) -> None:
    def run() -> None:
        try:
            work()
        finally:
            connections.close_all()  # the thread's own connections

    threading.Thread(target=run, name="sie-upload", daemon=True).start()


start_in_background: Starter = _start_thread

# Live progress of the imports this process runs: upload id -> bytes read. SQLite has one
# writer, and the import holds it until it commits, so there the database learns the
# progress only at the end; the pages read it from here meanwhile.
_live: dict[uuid.UUID, int] = {}
_live_lock = threading.Lock()


def require_books_admin(access: CompanyAccess) -> None:
    """Importing and starting a chart change the books: administrators only, and only on
    the node that keeps the books (the online node refuses with KeptElsewhere)."""
    access.require("accounting", "change")
    if not access.is_admin:
        raise PermissionDenied(_("Only an administrator of the company can do this."))


def upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "uploads" / "sie"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sie_upload_start(
    *, access: CompanyAccess, file: IO[bytes], filename: str, size: int, force: bool = False
) -> SieUpload:
    """Store an uploaded SIE file and import it outside the request. Returns the upload,
    whose state the pages then follow."""
    require_books_admin(access)
    if size > MAX_UPLOAD_BYTES:
        raise ValueError("too large")
    upload = SieUpload(
        company=access.company,
        user=access.user,
        filename=Path(filename).name[:200] or "upload.se",
        force=force,
        size=size,
    )
    path = upload_dir() / f"{upload.id}.sie"
    with path.open("wb") as out:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            out.write(chunk)
    upload.path = str(path)
    upload.size = path.stat().st_size
    upload.save()
    upload_id = upload.id
    # After the commit, so the thread finds the row.
    transaction.on_commit(lambda: start_in_background(lambda: sie_upload_run(upload_id)))
    return upload


def sie_upload_run(upload_id: uuid.UUID) -> None:
    """Import an upload (in its own thread): its state, progress and outcome go to its row;
    the file is deleted at the end, whatever the outcome."""
    try:
        _run(upload_id)
    finally:
        with _live_lock:
            _live.pop(upload_id, None)


def _run(upload_id: uuid.UUID) -> None:
    upload = SieUpload.objects.select_related("company", "user").get(id=upload_id)
    if upload.state != UploadState.QUEUED:
        return
    path = Path(upload.path)
    with _live_lock:
        _live[upload.id] = 0
    SieUpload.objects.filter(id=upload.id).update(
        state=UploadState.RUNNING, updated_at=timezone.now()
    )
    writer = _ProgressWriter(upload.id)
    try:
        if upload.user is None:
            raise PermissionDenied
        access = company_access(upload.user, upload.company_id, module="accounting", write=True)
        require_books_admin(access)
        writer.start()
        result = books_import(
            access=access,
            source=path,
            filename=upload.filename,
            force=upload.force,
            progress=writer.report,
        )
    except ImportRefused as refusal:
        _finish(
            upload, UploadState.REFUSED, error=refusal.message, code=refusal.code, line=refusal.line
        )
    except PermissionDenied as denied:
        _finish(upload, UploadState.REFUSED, error=str(denied) or _("Not allowed."), code="denied")
    except Exception:  # the outcome must reach the page, whatever went wrong
        logger.exception("SIE upload %s failed", upload.id)
        _finish(
            upload,
            UploadState.FAILED,
            error=_("The import failed unexpectedly; nothing was imported. The error is logged."),
            code="error",
        )
    else:
        _finish(upload, UploadState.DONE, summary=result_summary(result))
    finally:
        writer.stop()
        path.unlink(missing_ok=True)


def _finish(
    upload: SieUpload,
    state: str,
    *,
    summary: dict[str, Any] | None = None,
    error: str = "",
    code: str = "",
    line: int | None = None,
) -> None:
    SieUpload.objects.filter(id=upload.id).update(
        state=state,
        done=upload.size if state == UploadState.DONE else 0,
        summary=summary or {},
        error=error,
        error_code=code,
        error_line=line,
        path="",
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


class _ProgressWriter:
    """Writes the progress of a running import to its row every PROGRESS_INTERVAL seconds,
    through its own connection (the import's is inside its transaction). Not on SQLite,
    whose one writer is the import itself: there the progress stays in `_live`."""

    def __init__(self, upload_id: uuid.UUID) -> None:
        self.upload_id = upload_id
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def report(self, done: int, total: int) -> None:
        with _live_lock:
            _live[self.upload_id] = done

    def start(self) -> None:
        if connection.vendor == "sqlite" or start_in_background is not _start_thread:
            return
        self._thread = threading.Thread(target=self._loop, name="sie-progress", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        written = -1
        try:
            while not self._stop.wait(PROGRESS_INTERVAL):
                with _live_lock:
                    done = _live.get(self.upload_id, 0)
                if done != written:
                    SieUpload.objects.filter(id=self.upload_id, state=UploadState.RUNNING).update(
                        done=done, updated_at=timezone.now()
                    )
                    written = done
        finally:
            connection.close()


def result_summary(result: ImportResult) -> dict[str, Any]:
    """What the summary page shows of an import, as JSON."""
    return {
        "company_name": result.company_name,
        "org_number": result.org_number,
        "program": result.program,
        "kind": result.kind,
        "encoding": result.encoding,
        "fiscal_years": [
            [start.isoformat(), end.isoformat()] for start, end in result.fiscal_years
        ],
        "accounts": result.accounts,
        "vouchers": result.vouchers,
        "transactions": result.transactions,
        "balances": result.balances,
        "period_balances": result.period_balances,
        "changed": result.changed,
        "written": result.written,
        "seconds": round(result.seconds, 2),
        "warnings": [
            {"line": w.line, "code": w.code, "message": w.message, "severity": w.severity}
            for w in result.warnings
        ],
    }


def upload_progress(upload: SieUpload) -> SieUpload:
    """The upload with its live progress: from this process while it imports here, and an
    upload left unfinished by a restart marked as failed."""
    if upload.finished:
        return upload
    with _live_lock:
        live = _live.get(upload.id)
    if live is not None:
        upload.done = max(upload.done, live)
        return upload
    if timezone.now() - upload.updated_at > STALE_AFTER:
        message = _(
            "The import was interrupted (the server stopped). Nothing was imported; "
            "upload the file again."
        )
        if upload.path:
            Path(upload.path).unlink(missing_ok=True)
        SieUpload.objects.filter(id=upload.id, state=upload.state).update(
            state=UploadState.FAILED,
            error=message,
            error_code="interrupted",
            path="",
            finished_at=timezone.now(),
        )
        upload.state, upload.error, upload.error_code = UploadState.FAILED, message, "interrupted"
    return upload


# --- The chart of accounts of a new company ---------------------------------------------------


CHART_MESSAGES = {
    "sie": gettext_lazy(
        "This is an SIE file. Import it under “Import SIE file” instead: its chart comes with it."
    ),
    "no_accounts": gettext_lazy(
        "No accounts were found in the file. Use the chart of accounts file from bas.se "
        "(Excel), or a CSV file with account numbers and names."
    ),
    "too_many": gettext_lazy(
        "The file has more than %(limit)s accounts; it is not a chart of accounts."
    ),
    "unreadable": gettext_lazy("The file cannot be read as an Excel workbook or a CSV file."),
    "has_chart": gettext_lazy(
        "The company already has a chart of accounts. A chart can only be started for a "
        "company without accounts; an SIE import updates an existing chart."
    ),
}


class ChartRefused(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def chart_file_read(data: bytes) -> chartfile.Chart:
    """The accounts of a chart file, or ChartRefused with a message for the user."""
    try:
        return chartfile.read_chart(data)
    except chartfile.ChartFileError as error:
        message = str(CHART_MESSAGES.get(error.code, CHART_MESSAGES["unreadable"]))
        raise ChartRefused(message % {"limit": chartfile.MAX_ACCOUNTS}) from error


def chart_start(*, access: CompanyAccess, chart: chartfile.Chart) -> int:
    """Give a company without accounts the chart read from a file (the BAS chart from
    bas.se). Captured for the sync like every write of the books. Returns how many
    accounts were created. A later SIE import with its own chart updates these accounts by
    number (the file's names win) and adds the file's other accounts."""
    require_books_admin(access)
    with actor.acting_as(access.user.email), transaction.atomic():
        if Account.objects.filter(company=access.company).exists():
            raise ChartRefused(str(CHART_MESSAGES["has_chart"]))
        Account.objects.bulk_create(
            [Account(company=access.company, number=n, name=name) for n, name in chart.accounts]
        )
    return len(chart.accounts)


def user_label(user: User | None) -> str:
    return (user.full_name or user.email) if user is not None else ""
