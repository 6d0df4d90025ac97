"""Kuaiban engine: deploy and run BPMN procedures with working-day deadlines.

This module is the public API: the web layer, scripts and other callers import from
``engine`` only. The engine is built in families, each a subpackage with its own docstring:
``definitions`` (deploy and validate), ``runtime`` (run cases), ``audit`` (hash chain, replay,
bundles), ``scripting`` (the restricted language), ``time`` (clock, working-day calendar),
``storage`` (tables, migrations), ``org`` (roles, users, units), ``queries`` (read-side
views), ``notify`` (notifications, reminders, e-mail and webhook delivery) and ``files``
(case files and official documents); ``api.Engine`` ties them together, one transaction per
method.
"""

from engine import logs
from engine.api import Engine
from engine.api.reads import LEDGER_READERS
from engine.audit.chain import ChainProblem
from engine.audit.replay import ReplayResult
from engine.definitions import xmlsafe
from engine.definitions.catalogue_items import CatalogueItem
from engine.definitions.files import BPMN, SourceFile, kind_of
from engine.definitions.form_branches import ShownWhen, hidden_fields, shown_when
from engine.definitions.forms import FormProblem, check_form
from engine.definitions.policies import MODES as POLICY_MODES
from engine.definitions.policies import Policy
from engine.definitions.prefills import source as prefill_source
from engine.definitions.registry import draft_files, latest_forms
from engine.definitions.starters import offered as starter_choices
from engine.definitions.version_diff import DeployPreview, diff_versions
from engine.errors import (
    CalendarError,
    CaseHidden,
    Conflict,
    EngineError,
    InvalidData,
    NotFound,
    PermissionDenied,
    Problem,
    ScriptError,
    Throttled,
    UnsafeInput,
    ValidationFailed,
)
from engine.files import pdf
from engine.files.attachments import Upload
from engine.files.docx_text import Block
from engine.files.sniff import KIND_TITLES
from engine.messages import CATALOGUE as MESSAGES
from engine.messages import Msg, as_msg, msg
from engine.notify import CHANNELS as NOTIFICATION_CHANNELS
from engine.notify import KINDS as NOTIFICATION_KINDS
from engine.notify.center import Preferences
from engine.org.credit_code import normalized as normalized_credit_code
from engine.org.directory import Directory as UnitDirectory
from engine.org.directory import Unit
from engine.org.passwords import check as check_password_policy
from engine.org.people import Person
from engine.org.phrases import MAX_LENGTH as PHRASE_MAX_LENGTH
from engine.org.phrases import MAX_PHRASES, Phrases
from engine.org.pickers import choices as unit_choices
from engine.org.profile import Profile
from engine.org.roles import BY_ID as ROLES_BY_ID
from engine.org.roles import ROLES, Role, role_name
from engine.org.users import halfwidth
from engine.queries.board import (
    WHEN,
    board_tasks,
    chain_problem,
    instance_tasks,
    instances,
    most_overdue_first,
    overdue_board,
)
from engine.queries.case_briefs import CaseBrief, CaseReference, Fact
from engine.queries.confidential import MASK as CONFIDENTIAL_MASK
from engine.queries.confidential import ReadView, is_applicant
from engine.queries.diagram import instance_path, load_version, version_diagram
from engine.queries.inbox import InboxCounts, InboxFilter, InboxPage, end_of_today
from engine.queries.ledger import LEDGERS
from engine.queries.own_payouts import Letter, OwnPayout
from engine.queries.payouts import BatchPayouts, PaidPayout, Payout, batch_payouts
from engine.queries.rounds import Round
from engine.queries.search import MAX_LIMIT as MAX_SEARCH_LIMIT
from engine.queries.search import MAX_QUERY as MAX_SEARCH_QUERY
from engine.queries.search import SearchHit, SearchResult
from engine.queries.startable import (
    Startable,
    field_schemas,
    instance_forms,
    lane_title,
    may_start_any,
    startable,
    task_form,
)
from engine.queries.stats import SECTIONS as STATS_SECTIONS
from engine.queries.stats import (
    CountedTask,
    Statistics,
    StatsFilter,
    counted_processes,
    figure_cases,
    figure_payouts,
    figure_tasks,
    sections_for,
    statistics,
)
from engine.queries.worklists import Application, CaseState, DoneList, DoneTask, Outcome, outcome_of
from engine.runtime.bulk import BatchReport, BatchRow, RowProblem
from engine.runtime.commands import STARTED_PROCESS
from engine.runtime.handover import URGERS as URGING_ROLES
from engine.runtime.operations import Step as SendBackStep
from engine.runtime.rewind import TERMINATORS as TERMINATING_ROLES
from engine.storage import db, migrate
from engine.time.calendar import TZ, WorkCalendar, deadline_clock, deadline_day
from engine.time.clock import Clock, FixedClock, SystemClock
from engine.views import (
    AttachmentView,
    CopyView,
    DraftView,
    EventView,
    InstanceView,
    NotificationView,
    OutboxView,
    ProcessView,
    TaskView,
    TemplateView,
    TimerView,
    UserView,
    VersionSummary,
)

__all__ = [
    "BPMN",
    "CONFIDENTIAL_MASK",
    "KIND_TITLES",
    "LEDGERS",
    "LEDGER_READERS",
    "MAX_PHRASES",
    "MAX_SEARCH_LIMIT",
    "MAX_SEARCH_QUERY",
    "MESSAGES",
    "NOTIFICATION_CHANNELS",
    "NOTIFICATION_KINDS",
    "PHRASE_MAX_LENGTH",
    "POLICY_MODES",
    "ROLES",
    "ROLES_BY_ID",
    "STARTED_PROCESS",
    "STATS_SECTIONS",
    "TERMINATING_ROLES",
    "TZ",
    "URGING_ROLES",
    "WHEN",
    "Application",
    "AttachmentView",
    "BatchPayouts",
    "BatchReport",
    "BatchRow",
    "Block",
    "CalendarError",
    "CaseBrief",
    "CaseHidden",
    "CaseReference",
    "CaseState",
    "CatalogueItem",
    "ChainProblem",
    "Clock",
    "Conflict",
    "CopyView",
    "CountedTask",
    "DeployPreview",
    "DoneList",
    "DoneTask",
    "DraftView",
    "Engine",
    "EngineError",
    "EventView",
    "Fact",
    "FixedClock",
    "FormProblem",
    "InboxCounts",
    "InboxFilter",
    "InboxPage",
    "InstanceView",
    "InvalidData",
    "Letter",
    "Msg",
    "NotFound",
    "NotificationView",
    "OutboxView",
    "Outcome",
    "OwnPayout",
    "PaidPayout",
    "Payout",
    "PermissionDenied",
    "Person",
    "Phrases",
    "Policy",
    "Preferences",
    "Problem",
    "ProcessView",
    "Profile",
    "ReadView",
    "ReplayResult",
    "Role",
    "Round",
    "RowProblem",
    "ScriptError",
    "SearchHit",
    "SearchResult",
    "SendBackStep",
    "ShownWhen",
    "SourceFile",
    "Startable",
    "Statistics",
    "StatsFilter",
    "SystemClock",
    "TaskView",
    "TemplateView",
    "Throttled",
    "TimerView",
    "Unit",
    "UnitDirectory",
    "UnsafeInput",
    "Upload",
    "UserView",
    "ValidationFailed",
    "VersionSummary",
    "WorkCalendar",
    "as_msg",
    "batch_payouts",
    "board_tasks",
    "chain_problem",
    "check_form",
    "check_password_policy",
    "counted_processes",
    "db",
    "deadline_clock",
    "deadline_day",
    "diff_versions",
    "draft_files",
    "end_of_today",
    "field_schemas",
    "figure_cases",
    "figure_payouts",
    "figure_tasks",
    "halfwidth",
    "hidden_fields",
    "instance_forms",
    "instance_path",
    "instance_tasks",
    "instances",
    "is_applicant",
    "kind_of",
    "lane_title",
    "latest_forms",
    "load_version",
    "logs",
    "may_start_any",
    "migrate",
    "most_overdue_first",
    "msg",
    "normalized_credit_code",
    "outcome_of",
    "overdue_board",
    "pdf",
    "prefill_source",
    "role_name",
    "sections_for",
    "shown_when",
    "startable",
    "starter_choices",
    "statistics",
    "task_form",
    "unit_choices",
    "version_diagram",
    "xmlsafe",
]
