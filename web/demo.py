"""Demo users for ``kuaiban run --demo``: one or more for every role of domain.md, in two units
where the role is unit-scoped; intake, approver and case manager at the city and in two
counties, each working its own jurisdiction's clues (engine/org/scope.py). Units are names
of the unit directory (processes/units.csv). Idempotent (re-running updates them in place).
All share the password ``DEMO_PASSWORD``; never use them outside a demonstration."""

from __future__ import annotations

from engine import Engine

DEMO_PASSWORD = "kuaiban-demo"

# (username, display name, roles, unit)
DEMO_USERS: tuple[tuple[str, str, tuple[str, ...], str | None], ...] = (
    ("intake", "受理员 李明（市纪委信访室）", ("intake",), "市纪委市监委信访室"),
    ("approver", "分管领导 王强（市纪委）", ("approver",), "市纪委市监委"),
    ("intake_fl", "受理员 刘洋（浮梁县纪委）", ("intake",), "浮梁县纪委监委"),
    ("approver_fl", "分管领导 黄斌（浮梁县纪委）", ("approver",), "浮梁县纪委监委"),
    ("case_manager_fl", "案件监督管理室 林悦（浮梁县纪委）", ("case_manager",),
     "浮梁县纪委监委"),
    ("intake_lp", "受理员 何静（乐平市纪委）", ("intake",), "乐平市纪委监委"),
    ("approver_lp", "分管领导 罗勇（乐平市纪委）", ("approver",), "乐平市纪委监委"),
    ("case_manager_lp", "案件监督管理室 高翔（乐平市纪委）", ("case_manager",),
     "乐平市纪委监委"),
    ("handler_fl", "承办部门 赵磊（浮梁）", ("handler",), "浮梁县纪委监委"),
    ("handler_lp", "承办部门 钱军（乐平）", ("handler",), "乐平市纪委监委"),
    ("case_manager", "案件监督管理室 孙丽（市纪委）", ("case_manager",),
     "市纪委市监委案件监督管理室"),
    ("style_group", "作风优化组 周涛", ("style_group",), None),
    ("supervision", "党风政风监督室 吴芳", ("supervision_office",), None),
    ("city_leader", "市纪委市监委领导 郑伟", ("city_leader",), None),
    ("city_investigator", "市纪委市监委核查组 冯刚", ("city_investigator",), None),
    ("reform_group", "改革创新组 陈静", ("reform_group",), None),
    # a county's own work (a legacy case moved to it, the campaign's self-inspection, a
    # 12345 ticket) is addressed to the county itself, 县区 in the directory
    ("unit_fl", "责任单位 浮梁县", ("responsible_unit",), "浮梁县"),
    ("unit_lp", "责任单位 乐平市", ("responsible_unit",), "乐平市"),
    # a 行业主管部门 works its own department's copies (the legacy case's 督促指导)
    ("regulator", "行业主管部门 褚红（市交通运输局）", ("sector_regulator",), "市交通运输局"),
    ("lead_gx", "牵头部门 市工信局 秦岚", ("lead_department",), "市工信局"),
    ("enterprise", "企业 景德镇某瓷业有限公司", ("enterprise",), None),
    ("window", "惠企政策兑现专窗 卫敏", ("window",), None),
    ("credit_window", "信用修复窗口 邵青", ("credit_window",), None),
    ("policy_gx", "政策主管部门 市工信局", ("policy_dept",), "市工信局"),
    ("policy_sw", "政策主管部门 市商务局", ("policy_dept",), "市商务局"),
    # every department of the 惠企政策清单 (processes/policy_catalogue.dmn) has its user
    ("policy_rs", "政策主管部门 市人社局", ("policy_dept",), "市人社局"),
    ("policy_kj", "政策主管部门 市科技局", ("policy_dept",), "市科技局"),
    ("policy_jr", "政策主管部门 市政府金融办", ("policy_dept",), "市政府金融办"),
    ("data_bureau", "市政数局 蒋华", ("data_bureau",), None),
    ("credit_fgw", "信用主管部门 市发改委", ("responsible_unit",), "市发改委"),
    ("auditor", "审计 沈洁", ("auditor",), None),
    ("designer", "流程设计员 韩冰", ("designer",), None),
)
# the demo enterprise's 统一社会信用代码: it follows what the windows file for it
DEMO_CREDIT_CODES = {"enterprise": "91360200MA35B0001M"}
# the office telephones of those a 交办函 names as 联系人 (the ledger's 专人), and the
# window's, which its 受理回执 gives for questions: made up
DEMO_PHONES = {"intake": "0798-8200101", "case_manager": "0798-8200102",
               "intake_fl": "0798-2600101", "case_manager_fl": "0798-2600102",
               "intake_lp": "0798-6800101", "case_manager_lp": "0798-6800102",
               "window": "0798-8222345"}


def create_demo_users(engine: Engine) -> list[str]:
    """Create (or update) the demo users; one line per user, then the shared password."""
    lines = []
    for username, display, roles, unit in DEMO_USERS:
        engine.add_user(username, list(roles), unit=unit, password=DEMO_PASSWORD,
                        display_name=display, credit_code=DEMO_CREDIT_CODES.get(username),
                        phone=DEMO_PHONES.get(username))
        where = f" @ {unit}" if unit else ""
        lines.append(f"{username:<18} {', '.join(roles)}{where}  ({display})")
    lines.append(f"password for every demo user: {DEMO_PASSWORD}")
    return lines
