"""What a supervisor's statistics count, read as the supervisor reads them: 按期办结率 with the
work still open past its due time."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine.api import Engine
from engine.queries.stats import Statistics, StatsFilter, figure_tasks, statistics
from engine.time.clock import FixedClock
from tests.conftest import seeded
from tests.process_helpers import at, task
from tests.stats_support import NOW, known_data

KNOWN = seeded(lambda engine: known_data(engine, engine.clock))  # type: ignore[arg-type]
GXJ = "市工信局"


@pytest.fixture
def known(engine: Engine, clock: FixedClock) -> Engine:
    clock.set(at(NOW))
    return engine


def by_key(stats: Statistics, figure: str) -> dict[str | None, dict[str, Any]]:
    return {r.key: r.values for r in stats.figure(figure).rows}


# -- 按期办结率: open overdue work counts against it ---------------------------------------------


@KNOWN
def test_work_left_open_past_its_due_time_lowers_the_on_time_rate(known: Engine,
                                                                 clock: FixedClock) -> None:
    """市工信局 pays one enterprise of a 免申即享 batch on time and leaves the other's payout
    open past its due time (10-13 17:30). Every finished step was on time, yet the unit is
    not 100 % on time: 1 on time ÷ (1 done + 1 overdue open)."""
    known.add_user("gxj", ["policy_dept"], unit=GXJ)
    batch = known.start("subsidy_automatic", {"policy_id": "MS-001"}, "gxj")
    known.complete(task(known, "gxj", "confirm_enterprises", instance_id=batch.id).id, {
        "enterprises": [
            {"name": "景德镇甲陶瓷有限公司", "credit_code": "91360200MA35A0001X", "amount": 120000},
            {"name": "景德镇乙机械有限公司", "credit_code": "91360200MA35A00021", "amount": 80000}],
        "confirmation_basis": "部门数据比对"}, "gxj")
    clock.set(at("2026-10-13T10:00:00+08:00"))
    first = next(t for t in known.inbox.for_user("gxj")
                 if t.instance_id == batch.id and t.name == "pay_enterprise")
    item = known.task_data(first.id, "gxj")["enterprise"]
    known.complete(first.id, {"enterprise": {
        **item, "paid_amount": item["amount"], "paid_on": "2026-10-13",
        "payment_voucher": "PZ-1", "notice_channel": "短信"}}, "gxj")
    on_time_before = by_key(statistics(known, "chu", StatsFilter()), "on_time_by_unit")[GXJ]
    assert on_time_before == {"done": 1, "on_time": 1, "late": 0, "rate": 100.0,
                              "overdue_open": 0}  # the other payout not yet due
    clock.set(at("2026-10-14T09:00:00+08:00"))
    stats = statistics(known, "chu", StatsFilter())
    assert by_key(stats, "on_time_by_unit")[GXJ] == {
        "done": 1, "on_time": 1, "late": 0, "rate": 50.0, "overdue_open": 1}
    assert by_key(stats, "on_time_by_process")["subsidy_automatic"]["rate"] == 50.0
    assert stats.figure("on_time_by_unit").note == "按期办结率 = 按期办结 ÷（办结 + 超期未办结）"
    # a period counts the open payout by its due day: not in the days before it
    before = StatsFilter(end=date(2026, 10, 12))
    assert GXJ not in by_key(statistics(known, "chu", before), "on_time_by_unit")
    day = StatsFilter(start=date(2026, 10, 13), end=date(2026, 10, 13))
    assert by_key(statistics(known, "chu", day), "on_time_by_unit")[GXJ]["rate"] == 50.0
    listed = figure_tasks(known, "chu", StatsFilter(), "on_time_by_unit", GXJ, "overdue_open")
    assert [t.title for t in listed or []] == ["兑付资金并通知企业（景德镇乙机械有限公司）"]
