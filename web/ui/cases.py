"""Finding cases: the search box in every page's header and its results, 已办 (the tasks
the user completed and the cases they started), 我的申请 (an enterprise's applications) and
the 惠企政策清单 an enterprise picks its policy from."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from markupsafe import Markup

from engine import MAX_SEARCH_QUERY, POLICY_MODES, SearchHit, UserView, startable
from web.ui.auth import current_user, login_required
from web.ui.start import may_start
from web.ui.util import engine

bp = Blueprint("cases", __name__)
APPLICANTS = ("enterprise", "window", "credit_window")


def may_apply(user: UserView) -> bool:
    """Whether the nav shows 我的申请."""
    return any(role in user.roles for role in APPLICANTS)


# who works the subsidy flows and reads the catalogue: the applicants, the departments that own
# the policies (their batch form sends them to it) and the bureau the payouts are reported to
POLICY_READERS = (*APPLICANTS, "policy_dept", "data_bureau")


def may_read_policies(user: UserView) -> bool:
    """Whether the nav shows 惠企政策清单."""
    return any(role in user.roles for role in POLICY_READERS)


def highlighted(hit: SearchHit) -> Markup:
    """The excerpt, escaped by the engine, its matches in <mark>."""
    return Markup(hit.snippet_html)  # every piece is html.escape-d


@bp.get("/search")
@login_required
def search() -> str:
    query = (request.args.get("q") or "").strip()[:MAX_SEARCH_QUERY]
    result = engine().search.find(query, current_user(), 50) if query else None
    return render_template("search.html", query=query, result=result)


@bp.get("/done")
@login_required
def done() -> str:
    user = current_user()
    done = engine().worklists.done(user)
    # who can start nothing (an approver, say) is not shown an always-empty list of cases
    return render_template("done.html", done=done, starts=bool(done.started) or may_start(user))


@bp.get("/applications")
@login_required
def applications() -> str:
    found = engine().worklists.applications(current_user())  # PermissionDenied: 403
    return render_template("applications.html", applications=found)


# the procedure an enterprise applies through, by the policy's 兑现方式 (免申即享 needs none)
APPLY_BY_MODE = {"即申即享": "subsidy_instant", "承诺兑现": "subsidy_commitment"}


@bp.get("/policies")
@login_required
def policies() -> str:
    """The catalogue, searchable by number, name, department or eligible subjects and
    filtered by mode: which procedure handles a policy, on what conditions, in what time."""
    query = (request.args.get("q") or "").strip()[:MAX_SEARCH_QUERY]
    mode = request.args.get("mode") if request.args.get("mode") in POLICY_MODES else None
    # 申请 beside a policy, for those who may start the procedure of its mode
    starts = {s.key for s in startable(engine(), current_user().username)}
    apply = {mode_: key for mode_, key in APPLY_BY_MODE.items() if key in starts}
    return render_template("policies.html", query=query, mode=mode, modes=POLICY_MODES,
                           policies=engine().policies(query, mode), apply=apply)
