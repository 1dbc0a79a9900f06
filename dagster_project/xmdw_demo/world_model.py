"""The simulated truth of the county scale, as types: projects and their monthly progress, approvals, funds,
deals, and the region that holds them.

Everything here is canonical (万元, fractions, dates); the county ledger writers turn it into ledgers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from xmdw_demo import catalog as C

MONTHS = range(2, 13)  # report months: January is reported together with February


@dataclass
class Project:
    pid: str
    region: str
    name: str
    unit: str
    town: str
    industry: str
    nature: str
    inv_type: str
    holding: str
    key_level: str | None
    stage: str  # year-end 四个一批 stage
    category: str | None  # plan category in the 年初 plan (None: not in the annual plan)
    total: float
    annual: float  # 年初 annual plan (0 when not in the plan)
    prior: float  # investment completed before the plan year
    national_code: str | None
    owner: str
    leader: str
    content: str
    planned_start: date | None
    planned_completion: date | None
    actual_start: date | None = None
    actual_completion: date | None = None
    actual_operation: date | None = None
    in_stats: bool = False
    stats_entry: date | None = None
    industrial: bool = False
    new_capacity: bool = False
    flags: frozenset[str] = frozenset()
    final_ratio: float = 1.0  # year-to-date completion in December / 年初 plan
    stop_month: int | None = None  # 停缓建 from this month
    complete_month: int | None = None
    mid_plan: float | None = None  # 中期调整 plan
    mid_category: str | None = None
    added_mid_year: bool = False
    ytd: dict[int, float] = field(default_factory=dict)  # report month -> cumulative 万元
    funds_ytd: dict[int, float] = field(default_factory=dict)
    stats_factor: float = 1.0

    @property
    def started_in_year(self) -> bool:
        return self.actual_start is not None

    @property
    def is_key(self) -> bool:
        return bool(self.key_level)

    def first_month(self, year: int) -> int | None:
        """First report month this project appears in the progress ledgers of `year`."""
        if self.actual_start is None or self.actual_start.year > year:
            return None
        if self.actual_start.year < year:
            return 2
        return max(2, self.actual_start.month)


@dataclass
class ProcedureRow:
    pid: str
    name: str
    ptype: str
    required: bool
    status: str
    submitted: date | None
    approved: date | None
    doc_no: str | None
    dept: str | None


@dataclass
class FundItem:
    pid: str
    name: str
    fund_type: str
    fund_year: int
    batch: str
    category: str | None
    requested: float
    issued: float | None
    issued_date: date | None
    received_date: date | None
    paid_final: float  # fraction of issued paid by 31 December
    pay_months: int  # months from receipt to reach paid_final
    doc_no: str | None
    unit: str  # unit that keeps this row in its ledger

    def paid_at(self, as_of: date) -> float | None:
        if self.issued is None or self.received_date is None or as_of < self.received_date:
            return None if self.issued is None else 0.0
        months = (as_of.year - self.received_date.year) * 12 + as_of.month - self.received_date.month + 1
        frac = min(1.0, months / max(1, self.pay_months)) * self.paid_final
        return round(self.issued * frac, 2)


@dataclass
class Contract:
    cid: str
    name: str
    region: str
    investor: str
    origin: str
    event: str
    signed: date
    amount: float
    land_date: date | None
    land_doc: str | None
    status: str
    funds_in_place: float | None
    funds_usd: float | None
    pid: str | None


@dataclass
class RegionWorld:
    code: str
    name: str
    year: int
    projects: list[Project] = field(default_factory=list)
    procedures: list[ProcedureRow] = field(default_factory=list)
    funds: list[FundItem] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)

    def project(self, pid: str) -> Project:
        return next(p for p in self.projects if p.pid == pid)

    @property
    def prefix(self) -> str:
        return C.REGION_PREFIX[self.code]

    def unit(self, suffix: str) -> str:
        return self.prefix + suffix
