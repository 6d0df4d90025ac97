"""The statistics' own words (figure and column titles, notes, fixed row labels) in the reader's
language. engine/queries/stats names them in Chinese, the message ids; row labels that are
data (units, procedures, channels) are shown as they are."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# keyed by the texts of engine/queries/stats
TEXTS: dict[str, Any] = {
    # timeliness.py
    "各单位按期办结率": _l("各单位按期办结率"), "各流程按期办结率": _l("各流程按期办结率"),
    "办结": _l("办结"), "按期办结": _l("按期办结"), "超期办结": _l("超期办结"),
    "按期办结率": _l("按期办结率"), "超期未办结": _l("超期未办结"),
    "（未分单位）": _l("（未分单位）"),
    "按期办结率 = 按期办结 ÷（办结 + 超期未办结）":
        _l("按期办结率 = 按期办结 ÷（办结 + 超期未办结）"),
    # cases.py
    "问题线索按问题类型": _l("问题线索按问题类型"), "问题线索按线索来源": _l("问题线索按线索来源"),
    "“新官不理旧账”问题按类型": _l("“新官不理旧账”问题按类型"),
    "12345营商环境投诉 好差评": _l("12345营商环境投诉 好差评"),
    "案件数": _l("案件数"), "已办结": _l("已办结"), "办理中": _l("办理中"), "办结率": _l("办结率"),
    "已化解": _l("已化解"), "（未填写）": _l("（未填写）"),
    "非常满意": _l("非常满意"), "满意": _l("满意"), "基本满意": _l("基本满意"),
    "不满意": _l("不满意"), "非常不满意": _l("非常不满意"),
    # hotline.py
    "12345营商环境投诉 满意率": _l("12345营商环境投诉 满意率"), "已评价": _l("已评价"),
    "满意率": _l("满意率"), "满意：非常满意、满意、基本满意": _l("满意：非常满意、满意、基本满意"),
    "合计": _l("合计"),
    # intermediary.py
    "中介服务问题线索按中介服务事项": _l("中介服务问题线索按中介服务事项"),
    "中介服务问题线索按问题类别": _l("中介服务问题线索按问题类别"),
    "中介服务问题线索按责任单位": _l("中介服务问题线索按责任单位"),
    "中介服务问题线索各单位按期办结率": _l("中介服务问题线索各单位按期办结率"),
    "线索数": _l("线索数"), "不予受理": _l("不予受理"), "已销号": _l("已销号"),
    "销号率": _l("销号率"),
    "销号率 = 已销号 ÷（线索数 − 不予受理）；超期未办结：办理中且有待办已过办理期限":
        _l("销号率 = 已销号 ÷（线索数 − 不予受理）；超期未办结：办理中且有待办已过办理期限"),
    "按期办结率 = 按期办结 ÷（办结 + 超期未办结）；（未分单位）：市政数局工作专班的分类转办、"
    "逾期督办和核验销号":
        _l("按期办结率 = 按期办结 ÷（办结 + 超期未办结）；"
           "（未分单位）：市政数局工作专班的分类转办、逾期督办和核验销号"),
    "脱钩改制": _l("脱钩改制"), "市场秩序": _l("市场秩序"), "中介收费": _l("中介收费"),
    "要素公开": _l("要素公开"), "其他": _l("其他"),
    # legacy.py
    "自查摸排": _l("自查摸排"), "核实处理": _l("核实处理"), "督促跟进": _l("督促跟进"),
    "总结提升": _l("总结提升"), "累计登记": _l("累计登记"), "累计化解": _l("累计化解"),
    "化解率": _l("化解率"),
    "各阶段截止时（进行中的阶段截至当前）累计登记和化解的案件；"
    "年度结束后补登记的本年度线索计入总结提升，化解截至当前":
        _l("各阶段截止时（进行中的阶段截至当前）累计登记和化解的案件；"
           "年度结束后补登记的本年度线索计入总结提升，化解截至当前"),
    # subsidy.py
    "惠企政策兑现": _l("惠企政策兑现"), "兑付笔数": _l("兑付笔数"),
    "1个工作日内兑付": _l("1个工作日内兑付"), "兑付金额（元）": _l("兑付金额（元）"),
    "平均兑付用时（工作日）": _l("平均兑付用时（工作日）"), "已兑付": _l("已兑付"),
    "兑付笔数：期间内完成的兑付（免申即享每户企业一笔）；兑付金额：这些兑付的实际兑付金额之和；"
    "平均兑付用时：自申请或发起批次之日到兑付之日的工作日数，当日兑付为0":
        _l("兑付笔数：期间内完成的兑付（免申即享每户企业一笔）；兑付金额：这些兑付的实际兑付金额之和；"
           "平均兑付用时：自申请或发起批次之日到兑付之日的工作日数，当日兑付为0"),
}
_LEGACY_YEAR = re.compile(r"^(\d{4})年“新官不理旧账”各阶段化解率$")

# The filter's fields, for its errors (engine/queries/stats/scope.py names them so).
FILTER_FIELDS: dict[str, Any] = {"from": _l("开始日期"), "to": _l("结束日期"), "unit": _l("单位"),
                                 "process": _l("流程")}


def stats_text(text: str | None) -> str:
    if not text:
        return ""
    known = TEXTS.get(text)
    if known is not None:
        return str(known)
    year = _LEGACY_YEAR.match(text)
    if year:
        return _("%(year)s年“新官不理旧账”各阶段化解率", year=year.group(1))
    return text


def filter_field(name: str) -> str:
    return str(FILTER_FIELDS.get(name, name))
