"""`xmdw serve` — the submission page for units and the 调度 view for the office (Starlette + Jinja2).

Server-side rendered, no script, no external asset (works on an offline intranet); every text is
Chinese and every value is escaped by Jinja2's autoescape. An upload is checked by the ingestion itself
on a copy (web/checking.py) and queued in `data/landing/` for the next build; nothing here writes the
warehouse or the published copy.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from xmdw.core.paths import DataPaths
from xmdw.core.settings import ingest_limits
from xmdw.web.checking import submit
from xmdw.web.receipts import ReceiptStore
from xmdw.web.status import known_units, parse_month, published_at, report_month, unit_statuses

HERE = Path(__file__).parent
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the unit field around the file
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    return Jinja2Templates(env=env)


class Site:
    """The routes, bound to one data directory."""

    def __init__(self, paths: DataPaths) -> None:
        self.paths = paths
        self.store = ReceiptStore(paths.root / "web" / "receipts")
        self.templates = _templates()
        self.max_bytes = ingest_limits().max_file_bytes

    def page(self, request: Request, name: str, status_code: int = 200, **context) -> Response:
        context |= {"published_at": published_at(self.paths), "max_mb": self.max_bytes // (1024 * 1024)}
        return self.templates.TemplateResponse(request, name, context, status_code=status_code)

    def _units(self) -> list[str]:
        return known_units(self.paths, self.store.all())

    async def index(self, request: Request) -> Response:
        unit = request.query_params.get("unit", "")
        return self.page(request, "index.html", units=self._units(), unit=unit, error=None)

    async def upload(self, request: Request) -> Response:
        units = self._units()
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            return self.page(
                request, "index.html", 411, units=units, unit="", error="请使用页面上的表单上传文件。"
            )
        if int(length) > self.max_bytes + FORM_OVERHEAD:
            return self._too_big(request, units, "")
        async with request.form(max_files=1, max_fields=4) as form:
            unit, upload = str(form.get("unit") or ""), form.get("file")
            if unit not in units:
                return self.page(request, "index.html", 400, units=units, unit="", error="请先选择报送单位。")
            if not isinstance(upload, UploadFile) or not upload.filename:
                return self.page(
                    request, "index.html", 400, units=units, unit=unit, error="请选择要上传的台账文件。"
                )
            data = await upload.read(self.max_bytes + 1)
            name = upload.filename
        if len(data) > self.max_bytes:
            return self._too_big(request, units, unit)
        if not data:
            return self.page(
                request, "index.html", 400, units=units, unit=unit, error="上传的文件是空的（0 字节）。"
            )
        receipt = await run_in_threadpool(submit, self.paths, self.store, unit, name, data)
        return RedirectResponse(f"/receipts/{receipt.id}", status_code=303)

    def _too_big(self, request: Request, units: list[str], unit: str) -> Response:
        error = f"文件超过 {self.max_bytes // (1024 * 1024)} MB 的上限（设置项 XMDW_MAX_FILE_MB），请删去无关内容后重新上传。"
        return self.page(request, "index.html", 413, units=units, unit=unit, error=error)

    async def receipt(self, request: Request) -> Response:
        receipt = self.store.get(request.path_params["rid"])
        if receipt is None:
            raise HTTPException(404)
        return self.page(request, "receipt.html", r=receipt)

    async def download(self, request: Request) -> Response:
        receipt = self.store.get(request.path_params["rid"])
        if receipt is None or not receipt.highlighted:
            raise HTTPException(404)
        path = self.store.folder_of(receipt.id) / receipt.highlighted
        if not path.is_file():
            raise HTTPException(404)
        return FileResponse(path, media_type=XLSX_TYPE, filename=receipt.highlighted)

    async def history(self, request: Request) -> Response:
        unit = request.query_params.get("unit", "")
        units = self._units()
        receipts = self.store.of_unit(unit) if unit in units else []
        return self.page(request, "history.html", units=units, unit=unit, receipts=receipts)

    async def operator(self, request: Request) -> Response:
        year, month = parse_month(request.query_params.get("month")) or report_month()
        rows = unit_statuses(self.paths, self.store.all(), year, month)
        counts = {s: sum(1 for r in rows if r.status == s) for s in ("已报", "退回", "未报")}
        return self.page(request, "operator.html", rows=rows, year=year, month=month, counts=counts)

    async def not_found(self, request: Request, exc: Exception) -> Response:
        code = getattr(exc, "status_code", 500)
        return self.page(request, "error.html", code, code=code)


def create_app(paths: DataPaths) -> Starlette:
    site = Site(paths.ensure())
    routes = [
        Route("/", site.index),
        Route("/submit", site.upload, methods=["POST"]),
        Route("/receipts/{rid}", site.receipt),
        Route("/receipts/{rid}/download", site.download),
        Route("/history", site.history),
        Route("/operator", site.operator),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: site.not_found})


WARM_UP_CSV = "项目编号,项目名称,年度,月份,本年完成投资,开工累计完成投资\nP1,示例,2024,11,1,1\n"


def warm_up() -> None:
    """Check one tiny ledger the way an upload is checked, so the first unit does not wait for Great
    Expectations to start (about 5 s the first time, 1–2 s afterwards). Nothing is kept."""
    import tempfile
    from datetime import datetime

    from xmdw.web.checking import check_copy
    from xmdw.web.receipts import CST, Receipt

    with tempfile.TemporaryDirectory(prefix="xmdw-warm-") as tmp:
        receipt = Receipt(id="0" * 32, unit="示例单位", file_name="warm.csv", received_at=datetime.now(CST))
        check_copy(WARM_UP_CSV.encode(), "示例单位_预热.csv", receipt, Path(tmp))


def serve(paths: DataPaths, host: str = "127.0.0.1", port: int = 8765) -> None:
    import threading

    import uvicorn

    threading.Thread(target=warm_up, daemon=True).start()
    uvicorn.run(create_app(paths), host=host, port=port, log_level="warning")
