"""The roles of domain.md: lanes name them by id or by Chinese name."""

from __future__ import annotations

from dataclasses import dataclass

from engine.messages import Msg, msg


@dataclass(frozen=True)
class Role:
    id: str
    name: str  # the Chinese name, which lanes may use (shown to users: role_name)
    aliases: tuple[str, ...] = ()
    unit_scoped: bool = False  # a task's unit comes from the case (``unit``)
    # a task's unit is the case's jurisdiction: each 纪委监委 runs its own (engine/org/scope.py)
    by_jurisdiction: bool = False


ROLES: tuple[Role, ...] = (
    Role("intake", "受理员", ("信访室/案管室 受理员", "信访室/案管室受理员"), by_jurisdiction=True),
    Role("approver", "分管领导", by_jurisdiction=True),
    Role("handler", "承办部门", ("承办部门 (监督检查室/审查调查室/派驻机构/县区纪委)",), True),
    Role("case_manager", "案件监督管理室", by_jurisdiction=True),
    Role("style_group", "作风优化组"),
    Role("supervision_office", "党风政风监督室"),
    Role("city_leader", "市纪委市监委领导"),
    Role("city_investigator", "市纪委市监委核查组", ("市纪委市监委 核查组",)),
    Role("reform_group", "改革创新组", ("营商环境指挥部 改革创新组", "营商环境指挥部改革创新组")),
    Role("responsible_unit", "责任单位", ("信用主管部门", "协查机关"), True),
    Role("sector_regulator", "行业主管部门"),
    Role("lead_department", "牵头部门"),
    Role("enterprise", "企业"),
    Role("window", "惠企政策兑现专窗"),
    Role("credit_window", "信用修复窗口"),
    Role("policy_dept", "政策主管部门", (), True),
    Role("data_bureau", "市政数局"),
    Role("auditor", "审计/监督", ("审计", "监督")),
    Role("designer", "流程设计员"),
)

# The lane of the engine's own steps (scripts, gateways, thrown messages) that no one person
# takes: it stands for no role, so it may hold no user task and no start event.
SYSTEM_LANES = frozenset({"系统（自动）", "系统(自动)"})

BY_ID = {role.id: role for role in ROLES}
_BY_LANE = {name: role for role in ROLES for name in (role.id, role.name, *role.aliases)}


def role_for_lane(lane_name: str | None) -> Role | None:
    """The role a lane stands for: its name is the role id or one of the role's Chinese names."""
    if not lane_name:
        return None
    return _BY_LANE.get(lane_name.strip())


def role_name(role_id: str) -> Msg:
    """A role's display name, in the reader's language (``role.<id>`` of the messages'
    catalogue); an id that names no role, as it is."""
    return msg(f"role.{role_id}") if role_id in BY_ID else msg("text", text=role_id)


def is_system_lane(lane_name: str | None) -> bool:
    return (lane_name or "").strip() in SYSTEM_LANES
