"""Reports written under data/reports/: the data-quality report (数据质量报告) and the return list
for units (退回修改清单)."""

from xmdw.reports.dq_report import ReportFiles, write_dq_report

__all__ = ["ReportFiles", "write_dq_report"]
