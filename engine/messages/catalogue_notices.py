"""What notices say (the notification centre, e-mails, webhooks): key -> (English, Chinese).

Stored with each notice as its key and parameters (notices.py) and rendered when
read: ``title`` is the task's or the procedure's name, ``by`` whoever caused it, ``reason``
what they wrote; ``case``, ``because``, ``due`` and ``hm`` are made when rendering (the case
number in brackets, the reason after a colon, a deadline and its time of day, local time).
A key's ``.outside`` sibling, when it has one, is what an e-mail or a webhook says instead
(notices.py ``outside``): read there, the reader is not signed in, while in the centre the
notice opens the case itself."""

NOTICES: dict[str, tuple[str, str]] = {
    'notice.case': (
        ' ({business_key})',
        '（{business_key}）'),
    'notice.because': (
        ': {reason}',
        '：{reason}'),
    'notice.task_arrived': (
        'A new task "{title}"{case} has arrived.',
        '新的待办“{title}”{case}已到达。'),
    'notice.task_arrived_due': (
        'A new task "{title}"{case} has arrived; it is due {due}.',
        '新的待办“{title}”{case}已到达，办理期限 {due}。'),
    'notice.due_tomorrow': (
        'Task "{title}"{case} is due {due}; please get it done.',
        '待办“{title}”{case}将于 {due} 到期，请抓紧办理。'),
    'notice.due_today': (
        'Task "{title}"{case} is due today at {hm}; please get it done.',
        '待办“{title}”{case}今天 {hm} 到期，请抓紧办理。'),
    'notice.overdue': (
        'Task "{title}"{case} is past its deadline ({due}); please deal with it at once.',
        '待办“{title}”{case}已超过办理期限（{due}），请尽快办理。'),
    'notice.decided': (
        'The application "{title}"{case} has been decided.',
        '“{title}”申请{case}已有办理结果。'),
    'notice.terminated': (
        '"{title}"{case} has been terminated{because}.',
        '“{title}”{case}已终止办理{because}。'),
    'notice.decided.outside': (
        'The application "{title}"{case} has been decided; sign in to see the result.',
        '“{title}”申请{case}已有办理结果，请登录查看。'),
    'notice.decided_approved': (
        'The application "{title}"{case} has been approved for {amount} yuan; you will be told '
        'when it is paid.',
        '“{title}”申请{case}已审核通过，核定兑现金额 {amount} 元，兑付后另行通知。'),
    'notice.decided_approved.outside': (
        'The application "{title}"{case} has been approved for {amount} yuan; you will be told '
        'when it is paid. Sign in for the details.',
        ('“{title}”申请{case}已审核通过，核定兑现金额 {amount} 元，兑付后另行通知。'
         '详情请登录查看。')),
    'notice.decided_reduced': (
        'The application "{title}"{case} has been approved for {amount} yuan of the {requested} '
        'yuan applied for: {reason}. You will be told when it is paid.',
        '“{title}”申请{case}已审核通过，核定兑现金额 {amount} 元（申请 {requested} 元），'
        '核减理由：{reason}。兑付后另行通知。'),
    'notice.decided_reduced.outside': (
        'The application "{title}"{case} has been approved for {amount} yuan of the {requested} '
        'yuan applied for. You will be told when it is paid. Sign in for the reason.',
        '“{title}”申请{case}已审核通过，核定兑现金额 {amount} 元（申请 {requested} 元）。'
        '兑付后另行通知。核减理由请登录查看。'),
    'notice.supplement': (
        'The application "{title}"{case} lacks materials; supply all of these and resubmit: '
        '{items}',
        '“{title}”申请{case}材料不全，请一次补齐以下材料后重新提交：{items}'),
    'notice.supplement.outside': (
        'The application "{title}"{case} lacks materials; sign in to see what to supply and '
        'resubmit.',
        '“{title}”申请{case}材料不全，需补正，请登录查看补正清单并重新提交。'),
    'notice.decided_as': (
        'The application "{title}"{case} has been decided: {outcome}.',
        '“{title}”申请{case}已有办理结果：{outcome}。'),
    'notice.decided_as.outside': (
        'The application "{title}"{case} has been decided: {outcome}. Sign in for the details.',
        '“{title}”申请{case}已有办理结果：{outcome}。详情请登录查看。'),
    'notice.decided_untrue': (
        'The application "{title}"{case} has been refused: the review found your commitment '
        'untrue. {dept} will record it in your credit record.',
        '“{title}”申请{case}不予兑现：经核查，贵企业的承诺与实际情况不一致，将由{dept}记入'
        '信用记录、列入虚假承诺黑名单。'),
    'notice.decided_untrue.outside': (
        'The application "{title}"{case} has been refused: the review found your commitment '
        'untrue. {dept} will record it in your credit record. Sign in for the findings.',
        '“{title}”申请{case}不予兑现：经核查，贵企业的承诺与实际情况不一致，将由{dept}记入'
        '信用记录、列入虚假承诺黑名单。核查情况请登录查看。'),
    'notice.credit_recorded': (
        'The application "{title}"{case}: {dept} has recorded the untrue commitment in your '
        'credit record (record {record_no}). Once the breach is corrected you may apply for '
        'credit repair.',
        '“{title}”申请{case}：{dept}已将不实承诺记入贵企业信用记录（信用记录编号 {record_no}），'
        '并列入虚假承诺黑名单。纠正失信行为后，可申请信用修复。'),
    'notice.credit_recorded.outside': (
        'The application "{title}"{case}: {dept} has recorded the untrue commitment in your '
        'credit record (record {record_no}). Once the breach is corrected you may apply for '
        'credit repair. Sign in for the details.',
        '“{title}”申请{case}：{dept}已将不实承诺记入贵企业信用记录（信用记录编号 {record_no}），'
        '并列入虚假承诺黑名单。纠正失信行为后，可申请信用修复。详情请登录查看。'),
    'notice.paid': (
        '"{policy}"{case}: {amount} yuan has been paid to your enterprise.',
        '“{policy}”{case}已向贵单位兑付 {amount} 元，请留意查收。'),
    'notice.decided_paid': (
        'The application "{title}"{case} has been decided: {outcome}, {amount} yuan.',
        '“{title}”申请{case}已有办理结果：{outcome}，金额 {amount} 元。'),
    'notice.decided_paid.outside': (
        'The application "{title}"{case} has been decided: {outcome}, {amount} yuan. '
        'Sign in for the details.',
        '“{title}”申请{case}已有办理结果：{outcome}，金额 {amount} 元。详情请登录查看。'),
    'notice.urged': (
        '{by} urges you to deal with "{title}"{case}{because}',
        '{by} 催办“{title}”{case}{because}'),
    'notice.cc': (
        '{by} copied this case{case} to you for your information',
        '{by} 将案件{case}抄送给您，请阅知'),
    'notice.sent_back': (
        '{by} sent "{title}"{case} back to you: {reason}',
        '{by} 将“{title}”{case}退回给您：{reason}'),
    'notice.transferred': (
        '{by} transferred the task "{title}"{case} to you: {reason}',
        '{by} 将任务“{title}”{case}转办给您：{reason}'),
    'notice.delegated': (
        '{by} delegated "{title}"{case} to you{because}',
        '{by} 委派您办理“{title}”{case}{because}'),
    'notice.signer_added': (
        '{by} asks you to co-sign "{title}"{case}{because}',
        '{by} 请您加签“{title}”{case}{because}'),
    'notice.resolved': (
        '{by} has done "{title}"{case}; please confirm',
        '{by} 已办理“{title}”{case}，请您确认'),
    'notice.signed': (
        '{by} has signed "{title}"{case}; please confirm',
        '{by} 已签署“{title}”{case}，请您确认'),
    'notice.signed_next': (
        '{by} has signed "{title}"{case}; please co-sign it',
        '{by} 已签署“{title}”{case}，请您加签'),
    # the kinds of notice by name (e-mail subjects; the webhook's ``label`` is the Chinese)
    'notice.kind.task_arrived': ('New task', '新待办'),
    'notice.kind.due_tomorrow': ('Due tomorrow', '明日到期'),
    'notice.kind.due_today': ('Due today', '今日到期'),
    'notice.kind.overdue': ('Overdue', '已超期'),
    'notice.kind.urged': ('Urged', '催办'),
    'notice.kind.cc': ('Copied to you', '抄送'),
    'notice.kind.sent_back': ('Sent back', '退回'),
    'notice.kind.transferred': ('Transferred', '转办'),
    'notice.kind.delegated': ('Delegated', '委派'),
    'notice.kind.decided': ('Decided', '办理结果'),
    'notice.kind.supplement': ('Supplements requested', '补正通知'),
    # an e-mail around the notice, in its recipient's language (engine/notify/channels.py)
    'email.subject': (
        '[Kuaiban] {label}: {title}{case}',
        '【快办】{label}：{title}{case}'),
    'email.greeting': (
        'Dear {name},',
        '{name}，您好：'),
    'email.case_no': (
        'Case number: {business_key}',
        '案件编号：{business_key}'),
    'email.open': (
        'Open: {link}',
        '查看：{link}'),
    'email.footer': (
        '— Kuaiban (sent automatically; please do not reply)',
        '—— 快办（系统自动发送，请勿直接回复）'),
}
