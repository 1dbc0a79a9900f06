"""A quiet, honest terminal (issue 12, item 4): stage lines, a Chinese summary of at most 40 lines that calls a
fatal rule 致命, 成功 only when something was published, a non-zero exit otherwise, Dagster and dbt in a log."""

from __future__ import annotations

import datetime as dt
import io
from datetime import date
from pathlib import Path

import pytest
from ledgers import PLAN_HEADER, PROGRESS_HEADER, write_xlsx

from xmdw.core import console
from xmdw.core.paths import DataPaths
from xmdw.reports.run_summary import MAX_LINES, Finding, Published, RunSummary

PROJECTS = ["项目编号", "项目名称", "区划代码", "四个一批阶段", "总投资", "牵头单位", "建设性质", "是否入库", "入库时间", "实际开工时间"]  # fmt: skip
B7_HELD = Finding("B7", "建设性质在代码表中", "项目基本信息台账", "fatal", "row", 1, 1, False, False)
C3_WARN = Finding(
    "C3", "本年完成投资不超过开工累计完成投资", "月度投资进度台账", "warning", "row", 1, 0, False, False
)


def _ledgers(landing: Path) -> None:
    """P4's 建设性质 新造 breaks fatal row rule B7 (held back); P1 breaks warning C3; P3's 本年完成投资 'abc'
    is rejected at ingestion (ING-NUM)."""
    write_xlsx(
        landing / "发改局_项目基本信息台账.xlsx",
        [
            PROJECTS,
            ["P1", "镇巴县甲路", "610728", "开工在建", 1000, "县交通局", "新建", "是", date(2023, 6, 1), date(2023, 5, 10)],
            ["P2", "镇巴县乙厂", "610728", "开工在建", 2000, "县经贸局", "扩建", "是", date(2023, 6, 1), date(2023, 4, 1)],
            ["P4", "镇巴县丁园", "610728", "谋划", 900, "县发改局", "新造", "否", None, None],
        ],
    )  # fmt: skip
    write_xlsx(
        landing / "发改局_2024年度投资计划.xlsx",
        [PLAN_HEADER, ["P1", 2024, "年初", 1000], ["P2", 2024, "年初", 500]],
    )
    write_xlsx(
        landing / "县交通局_2024年03月_月度投资进度.xlsx",
        [PROGRESS_HEADER, ["P1", "甲", 2024, 3, 300, 200], ["P2", "乙", 2024, 3, 100, 900], ["P3", "丙", 2024, 3, "abc", 1]],
    )  # fmt: skip


@pytest.mark.e2e
def test_run_with_a_held_back_row_and_nothing_published(data_dir: DataPaths, capsys) -> None:
    """One real `xmdw run` (Dagster, GX, dbt) on three small ledgers, with data/serving unusable (a file
    where the folder should be): the publish step fails, so nothing is published and the exit status is 1."""
    from xmdw.cli.main import main

    _ledgers(data_dir.landing)
    data_dir.serving.write_text("not a folder", encoding="utf-8")
    code = main(["run"])
    out = capsys.readouterr().out
    lines = out.splitlines()

    assert code == 1, out
    summary = lines[next(i for i, line in enumerate(lines) if line.startswith("xmdw 运行结束")) :]
    assert summary[0] == "xmdw 运行结束：失败 — 本次没有发布任何数据（退出码 1）"
    assert len(summary) <= MAX_LINES and len(lines) <= MAX_LINES + 10, out
    # a fatal rule is 致命 with the rows it holds back, never "(WARN)"
    assert any(line.startswith("    致命·已暂扣 1 行  B7 ") for line in summary), out
    assert "WARN" not in out and "成功" not in out
    assert any(line.startswith("    警告  C3 ") for line in summary)
    assert "文件：接收 3，隔离 0，重复 0，等待 0" in summary
    assert any(line.startswith("行：读取 11，载入 7，退回 1，") for line in summary)
    assert any(
        "退回 1 行（ING-NUM），如 县交通局_2024年03月_月度投资进度.xlsx Sheet1 第4行「本年完成投资」" in x
        for x in summary
    )
    assert "发布：未发布 — 还没有任何已发布的数据" in summary
    assert any(line.startswith("失败步骤：发布 BI 副本 — ") for line in summary)
    # one line per stage, with the files n/N of the ingestion, in 北京时间
    stages = lines[1 : lines.index(summary[0])]
    assert any("✓ 读取文件 3/3 完成" in x for x in stages)
    assert any("✓ 构建专题表 (dbt) 完成" in x for x in stages)
    assert any("✗ 发布 BI 副本 失败" in x for x in stages)
    assert lines[0].startswith("xmdw 开始运行（北京时间 ")
    # Dagster's and dbt's detail is in the log whose path is printed, not on the terminal
    log = Path(lines[0].split("详细日志：")[1])
    assert log.parent == data_dir.root / "logs" and f"  运行日志（Dagster、dbt 的详细输出）：{log}" in summary
    detail = log.read_text(encoding="utf-8")
    assert "STEP_START" in detail and "dbt" in detail
    assert "STEP_START" not in out and " - dagster - " not in out


def _summary(**kw) -> RunSummary:
    base = dict(
        success=True,
        run_id="r1",
        files={"accepted": 2},
        rows={"read": 5, "loaded": 3, "rejected": 1, "skipped": 1, "kept_with_findings": 0},
        job_name="xmdw_build_all",
        expects_publish=True,
        findings=[B7_HELD, C3_WARN],
        rules_run=120,
        rows_held_back=1,
    )
    return RunSummary(**(base | kw))


def test_success_only_when_published(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path)
    published = _summary(published=Published("v0007", "2024-12-06T01:00:00+00:00", 25))
    lines = published.lines(paths)
    assert lines[0] == "xmdw 运行结束：成功 — 已发布数据版本 v0007" and published.exit_code == 0
    assert (
        "发布：数据版本 v0007，北京时间 2024-12-06 09:00:00，25 张表（中文视图在 marts_cn、ref_cn）" in lines
    )
    assert "    致命·已暂扣 1 行  B7 建设性质在代码表中（项目基本信息台账）" in lines

    nothing = _summary(last_published=Published("v0006", "2024-11-06T01:00:00+00:00", 25))
    assert nothing.exit_code == 1 and "成功" not in "\n".join(nothing.lines(paths))
    assert "发布：未发布 — BI 与报告仍读取上一版本 v0006（北京时间 2024-11-06 09:00:00）" in nothing.lines(
        paths
    )

    failed_report = _summary(published=Published("v0007", "2024-12-06T01:00:00+00:00", 25))
    failed_report.merge(RunSummary(False, "r2", failed_steps=["reports__monthly_bulletin"]))
    assert failed_report.exit_code == 1 and "但有步骤失败" in failed_report.lines(paths)[0]

    ingest_only = _summary(job_name="xmdw_ingest", expects_publish=False)
    assert ingest_only.exit_code == 0 and ingest_only.lines(paths)[0].startswith("xmdw 运行结束：完成")


def test_blocking_fatal_rule_and_the_40_line_cap(tmp_path: Path) -> None:
    blocking = Finding("M1", "专题表合计与明细一致", "五率", "fatal", "table", 3, 0, True, True)
    many = [
        Finding(f"W{i}", "某警告", "月度投资进度台账", "warning", "row", i, 0, False, False)
        for i in range(30)
    ]
    s = _summary(
        findings=[*many, blocking],
        quarantined=[(f"坏文件{i}.xlsx", "空表") for i in range(5)],
        rejections=[f"退回 1 行（ING-NUM{i}），如 …" for i in range(5)],
        all_rejected=[(f"全退{i}.xlsx", 2) for i in range(3)],
        outputs=[(f"报告{i}", f"/x{i}/报告{i}.xlsx") for i in range(20)],
        log_path=tmp_path / "logs" / "run_x.log",
    )
    lines = s.lines(DataPaths(tmp_path))
    assert len(lines) == MAX_LINES
    assert "    致命·阻断  M1 专题表合计与明细一致（五率）：3 项，本次不发布" in lines, (
        "fatal findings are kept first"
    )
    assert any(
        x.startswith("    ……另有 ") and x.endswith(" 行明细，见数据质量报告和退回修改清单") for x in lines
    )
    assert (
        lines[-1].startswith("  运行日志（Dagster、dbt 的详细输出）：")
        and "  报告19：/x19/报告19.xlsx" in lines
    )
    assert [x for x in lines if not x.startswith(" ")][:4] == [
        "xmdw 运行结束：失败 — 本次没有发布任何数据（退出码 1）",
        "文件：接收 2，隔离 0，重复 0，等待 0",
        "行：读取 5，载入 3，退回 1，跳过 1（标题、表头、合计等），保留但有提示 0",
        "数据质量：120 条规则，致命 1 条，警告 30 条；暂扣（不进入专题表，待单位更正）共 1 行",
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_stage_lines_on_a_pipe_and_on_a_terminal(tmp_path: Path) -> None:
    pipe = console.Console(io.StringIO(), tmp_path / "run.log")
    pipe.stage_started("ingest_landing")
    for n in range(1, 319):
        pipe.files(n, 318)
    pipe.stage_ended("ingest_landing", "完成")
    pipe.partition = "2024Q4"
    pipe.stage_started("reports__quarterly_scorecard")
    pipe.stage_ended("reports__quarterly_scorecard", "失败")
    lines = pipe.stream.getvalue().splitlines()
    assert len(lines) == 2, "a pipe gets one line per stage, when it ends"
    assert lines[0].endswith("✓ 读取文件 318/318 完成（不到 1 秒）")
    assert lines[1].endswith("✗ 报告：季考核 2024Q4 失败（不到 1 秒）")

    tty = console.Console(_Terminal(), tmp_path / "run.log")
    tty.stage_started("xmdw_dbt_assets")
    tty.stage_ended("xmdw_dbt_assets", "完成")
    shown = tty.stream.getvalue()
    assert shown.startswith("\r  ") and "构建专题表 (dbt) …" in shown and shown.count("\n") == 1


def test_times_are_china_standard_time_and_logs_are_kept_bounded(tmp_path: Path) -> None:
    assert console.stamp("2024-12-05T16:30:00+00:00") == "2024-12-06 00:30:00"
    assert console.stamp(dt.datetime(2024, 12, 5, 16, 30)) == "2024-12-06 00:30:00"  # naive = UTC (DuckDB)
    logs = tmp_path / "logs"
    logs.mkdir()
    for i in range(console.LOGS_KEPT + 5):
        (logs / f"run_20240101-0000{i:02d}.log").touch()
    new = console.new_log_path(logs, dt.datetime(2024, 12, 6, 1, 0, tzinfo=dt.UTC))
    assert new.name == "run_20241206-090000.log"
    assert len(list(logs.glob("run_*.log"))) == console.LOGS_KEPT
    assert not (logs / "run_20240101-000000.log").exists()


def test_one_path_line_per_report_and_per_folder_of_region_files(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path)
    r = paths.reports
    outputs = [
        ("月通报 2024-12", str(r / "月通报_2024-12.xlsx")),
        ("月通报 2024-12", str(r / "月通报_2024-12.html")),
        ("月通报 2024-12", str(r / "月通报_2024-12.pdf")),
        *[(f"{region} 月通报 2024-12", str(r / "月通报_2024-12_公文" / f"{region}_月通报_2024-12.docx")) for region in ("巴州区", "镇巴县", "南江县")],
        ("数据质量报告", str(r / "数据质量报告.html")),
    ]  # fmt: skip
    lines = _summary(outputs=outputs, log_path=tmp_path / "logs" / "run_1.log").lines(paths)
    start = lines.index("路径：")
    assert lines[start + 1 :] == [
        f"  月通报 2024-12：{r / '月通报_2024-12.xlsx'}（另有 .html、.pdf）",
        f"  月通报 2024-12 公文：{r / '月通报_2024-12_公文'}（3 个文件）",
        f"  数据质量报告：{r / '数据质量报告.html'}",
        f"  运行日志（Dagster、dbt 的详细输出）：{tmp_path / 'logs' / 'run_1.log'}",
    ]


# --- the one command line (xmdw.cli) ------------------------------------------------------------------------


def test_read_only_commands_set_nothing_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`xmdw versions`, `explain` and `report` only read: the CLI sets the environment up (data folders,
    owner-only modes, dbt's and Dagster's variables) only for commands that run the pipeline or write the data
    directory, so a reader creates nothing, even where no data directory exists yet."""
    from xmdw.cli.main import main

    root = tmp_path / "data"
    monkeypatch.setenv("XMDW_DATA_DIR", str(root))
    assert main(["versions"]) == 0
    assert main(["explain", "--region", "镇巴县", "--month", "2024-11"]) == 2
    assert main(["report", "--month", "2024-11"]) == 2
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "数据版本 0 个（保留最近 24 个及已印发报告使用的版本）",
        f"数据库不存在 — database not found: {root / 'warehouse.duckdb'}",
        f"数据库不存在 — database not found: {root / 'warehouse.duckdb'}",
    ]
    assert not root.exists()


def test_python_m_xmdw_cli_publish_publishes_by_hand(tmp_path: Path) -> None:
    """docs/bi.md documents `python -m xmdw.cli.publish`, the manual publish: a missing warehouse is refused,
    --tables-md prints the tables."""
    import subprocess
    import sys

    missing = tmp_path / "none.duckdb"
    cmd = [sys.executable, "-m", "xmdw.cli.publish"]
    refused = subprocess.run(
        [*cmd, "--warehouse", str(missing), "--serving-dir", str(tmp_path / "serving")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert (
        refused.stderr.startswith("发布失败 publish failed: 数仓文件不存在")
        and str(missing) in refused.stderr
    )
    tables = subprocess.run([*cmd, "--tables-md"], capture_output=True, text=True, timeout=300)
    assert tables.returncode == 0, tables.stderr
    assert tables.stdout.startswith("| 表 table | 说明 description |\n| --- | --- |\n")
    assert "| `marts.figure_values` | 发布数字一览" in tables.stdout
