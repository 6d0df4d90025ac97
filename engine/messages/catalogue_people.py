"""Messages about people, units, sign-in, statistics, the calendar and the clock:
key -> (English, Chinese)."""

PEOPLE: dict[str, tuple[str, str]] = {
    'account.signed_out': (
        'signed out',
        '已退出登录'),
    'account.weak_password': (
        'the password does not meet the rules: {problems}',
        '密码不符合要求：{problems}'),
    'account.wrong_password': (
        'the current password is wrong',
        '当前密码不正确'),
    'calendar.bad_day': (
        'day must be between 1 and 31, got {day}',
        '日应在 1 到 31 之间，而不是 {day}'),
    'calendar.bad_override': (
        'override for {day} must be True/False',
        '{day} 的调休设置应为 True 或 False'),
    'calendar.close_not_naive': (
        'close must be a naive local time such as time(17, 30)',
        '下班时间应为不带时区的本地时间，例如 time(17, 30)'),
    'calendar.datetime_not_date': (
        '{what} must be a date, got a datetime ({value})',
        '{what} 应为日期，而不是日期时间（{value}）'),
    'calendar.days_too_large': (
        'days must be at most {limit} (about {years} years) either way, got {days}',
        '天数前后最多为 {limit}（约 {years} 年），而不是 {days}'),
    'calendar.months_out_of_range': (
        'months_ahead={months_ahead} leaves the supported date range',
        '月数 {months_ahead} 超出支持的日期范围'),
    'calendar.months_too_large': (
        'months_ahead must be at most {limit} either way, got {months_ahead}',
        '月数前后最多为 {limit}，而不是 {months_ahead}'),
    'calendar.n_too_large': (
        'n must be at most {limit} working days (about {years} years), got {n}',
        '工作日数最多为 {limit}（约 {years} 年），而不是 {n}'),
    'calendar.n_too_small': (
        'n must be at least 1, got {n}',
        '工作日数至少为 1，而不是 {n}'),
    'calendar.no_working_day': (
        'no working day found after {day}; check the overrides',
        '{day} 之后找不到工作日，请检查调休设置'),
    'calendar.no_working_day_before': (
        'no working day found before {day}; check the overrides',
        '{day} 之前找不到工作日，请检查调休设置'),
    'calendar.not_a_date': (
        '{what} must be a date, got {type}',
        '{what} 应为日期，而不是 {type}'),
    'calendar.not_an_integer': (
        '{what} must be an integer, got {value!r}',
        '{what} 应为整数，而不是 {value!r}'),
    'calendar.schedule_bad_date': (
        ('line {line}: {text!r} is not a date or range of dates (2027-01-01 or '
         '2027-02-05..2027-02-11)'),
        '第 {line} 行：{text!r} 不是日期或日期范围（2027-01-01 或 2027-02-05..2027-02-11）'),
    'calendar.schedule_bad_line': (
        'line {line}: {text!r} is not "DAY[..DAY] holiday|workday [note]"',
        '第 {line} 行：{text!r} 应为“日期[..日期] holiday|workday [说明]”'),
    'calendar.schedule_bad_range': (
        'line {line}: the range {text} must run forwards and span at most a month',
        '第 {line} 行：日期范围 {text} 应从前往后，且不超过一个月'),
    'calendar.schedule_both': (
        '{day} is listed both as a holiday and as a working day',
        '{day} 同时被列为放假日和上班日'),
    'calendar.schedule_one_year': (
        'a schedule holds the days of one year, this one of: {years}',
        '一份放假安排只含一年的日期，这份含：{years}'),
    'calendar.schedule_statutory_missing': (
        ('{day} is a statutory holiday ({holiday}) but the schedule does not list it as a day '
         'off: is it the notice of that year?'),
        '{day} 是法定节假日（{holiday}），这份放假安排却没有列为放假日：是否为该年的通知？'),
    'calendar.schedule_weekday_workday': (
        '{day} is a weekday: only a Saturday or Sunday can be an adjusted working day (调休)',
        '{day} 是周一至周五：只有周六、周日才可能调休上班'),
    'calendar.too_far': (
        '{what} {value} is more than {years} years from now',
        '{what} {value} 距今超过 {years} 年'),
    'clock.advance_needs_timedelta': (
        'advance() needs a timedelta, got {type}',
        'advance() 需要 timedelta，而不是 {type}'),
    'clock.bad_env': (
        ('{variable}={value!r} is invalid: {message}. It must be an ISO 8601 instant with a UTC '
         'offset, e.g. {variable}=2026-09-30T16:00:00+08:00 (or unset it to use the system clock)'),
        ('{variable}={value!r} 无效：{message}。应为带时区偏移的 ISO 8601 时刻，例如 {variable}=2'
         '026-09-30T16:00:00+08:00（或不设置，使用系统时钟）')),
    'clock.naive': (
        ('{what} {value} has no UTC offset; naive datetimes are ambiguous (use e.g. '
         '2026-09-30T16:00:00+08:00)'),
        '{what} {value} 没有时区偏移，含义不明（例如应写作 2026-09-30T16:00:00+08:00）'),
    'clock.not_a_datetime': (
        '{what} must be a datetime, got {type}',
        '{what} 应为日期时间，而不是 {type}'),
    'clock.not_a_string': (
        'expected an ISO 8601 string, got {type}',
        '应为 ISO 8601 字符串，而不是 {type}'),
    'clock.not_iso': (
        '{text!r} is not an ISO 8601 date-time (expected e.g. 2026-09-30T16:00:00+08:00)',
        '{text!r} 不是 ISO 8601 日期时间（例如 2026-09-30T16:00:00+08:00）'),
    'clock.text_naive': (
        '{text!r} has no UTC offset; write it with one, e.g. {stripped}+08:00',
        '{text!r} 没有时区偏移，请加上，例如 {stripped}+08:00'),
    'confidential.auditors_only': (
        'the access log of confidential fields is for auditors',
        '涉密字段的访问记录只供审计人员查看'),
    'ledger.not_found': (
        'no ledger "{key}" (known: {known})',
        '没有台账“{key}”（现有：{known}）'),
    'ledger.supervisors_only': (
        'ledgers are for supervisors and auditors',
        '台账仅供督办和审计人员查看'),
    'limits.case_too_large': (
        ('the case would hold {megabytes} MB of data, more than the limit of {limit} MB; nothing '
         'was saved'),
        '案件数据将达 {megabytes} MB，超过上限 {limit} MB，未保存'),
    'limits.not_numbers': (
        ('KUAIBAN_COMMAND_SECONDS must be a number of seconds and KUAIBAN_MAX_CASE_BYTES a number '
         'of bytes'),
        'KUAIBAN_COMMAND_SECONDS 必须是秒数，KUAIBAN_MAX_CASE_BYTES 必须是字节数'),
    'limits.out_of_range': (
        ('KUAIBAN_COMMAND_SECONDS must be between 0 and 3600 and KUAIBAN_MAX_CASE_BYTES at least '
         '1048576'),
        'KUAIBAN_COMMAND_SECONDS 必须在 0 到 3600 之间，KUAIBAN_MAX_CASE_BYTES 至少为 1048576'),
    'notify.not_found': (
        'no notification {notification_id}',
        '没有编号为 {notification_id} 的通知'),
    'notify.unknown_kind': (
        'no notice kind {kind!r} (known: {known})',
        '没有“{kind}”这类通知（可选：{known}）'),
    'notify.unknown_choice': (
        'unknown channel or kind',
        '未知的通知渠道或类型'),
    'settings.invalid': (
        'KUAIBAN_{name} {problem}',
        'KUAIBAN_{name} {problem}'),
    'sign_in.throttled': (
        'too many failed sign-ins; try again in {minutes} minute(s)',
        '登录失败次数过多，请 {minutes} 分钟后再试'),
    'stats.bad_filter': (
        'bad statistics filter',
        '统计筛选条件有误'),
    'stats.no_figure': (
        'no statistics figure "{figure}"',
        '没有统计指标“{figure}”'),
    'stats.no_section': (
        'no statistics section "{section}"',
        '没有统计栏目“{section}”'),
    'stats.period_reversed': (
        'period starts after it ends',
        '开始日期晚于结束日期'),
    'stats.section_not_for_role': (
        'the "{section}" statistics are not for this role',
        '“{section}”统计不对此角色开放'),
    'stats.supervisors_only': (
        'statistics are for supervising roles',
        '统计数据只供督办角色查看'),
    'stats.unit_outside_area': (
        '{unit} is outside {area}',
        '{unit} 不在 {area} 范围内'),
    'units.directory_empty': (
        'the unit directory is empty: load it with kuaiban units import',
        '单位名录为空：请用 kuaiban units import 导入'),
    'units.file_empty': (
        'the file has no units',
        '文件中没有单位'),
    'units.file_problems': (
        '{count} problem(s) in the directory file',
        '单位名录文件中有 {count} 处问题'),
    'units.list_not_asked': (
        'the unit list {key!r} was not asked when this happened',
        '发生此事时没有查询单位列表“{key}”'),
    'units.not_a_directory': (
        'not a unit directory file',
        '不是单位名录文件'),
    'units.unknown': (
        'no unit {unit!r} in the directory',
        '单位名录中没有“{unit}”'),
    'users.bad_email': (
        '{email!r} is not an e-mail address (name@example.gov.cn)',
        '“{email}”不是有效的电子邮件地址（例如 name@example.gov.cn）'),
    'users.bad_credit_code': (
        'not a valid 统一社会信用代码',
        '统一社会信用代码无效'),
    'users.bad_name': (
        'bad user name',
        '用户名不可用'),
    'phrases.duplicate': (
        '"{phrase}" is already one of your phrases',
        '“{phrase}”已在常用意见中'),
    'phrases.empty': (
        'a phrase cannot be empty',
        '常用意见不能为空'),
    'phrases.not_found': (
        '"{phrase}" is not one of your phrases',
        '“{phrase}”不在常用意见中'),
    'phrases.too_long': (
        'a phrase may have at most {limit} characters, this one has {length}',
        '常用意见最多 {limit} 个字，这条有 {length} 个字'),
    'phrases.too_many': (
        'at most {limit} phrases: remove one first',
        '常用意见最多 {limit} 条，请先删除不用的'),
    'profile.invalid': (
        'the profile was not saved: see the fields',
        '个人信息未保存，请按提示修改'),
    'users.bad_language': (
        '{language!r} is not a language Kuaiban speaks (zh or en)',
        '“{language}”不是可选的语言（zh 或 en）'),
    'users.bad_phone': (
        ('{phone!r} is not a telephone number (digits parted by single spaces or hyphens, '
         'optionally a leading +; 7 to 20 characters, spaces and hyphens included)'),
        '“{phone}”不是有效的电话号码（数字，可用单个空格或连字符分隔，可以 + 开头；'
        '共 7 至 20 个字符，空格和连字符计算在内）'),
    'users.no_such_user': (
        'no user {username}',
        '没有用户 {username}'),
    'users.not_found': (
        'no user "{username}"',
        '没有用户“{username}”'),
    'users.unit_missing': (
        'unit missing',
        '缺少单位'),
    'users.unknown_role': (
        'unknown role',
        '未知的角色'),
    'own_payouts.enterprises_only': (
        'a payout of 免申即享 is shown to the enterprise it pays',
        '免申即享的兑付情况只供被兑付的企业查看'),
    'worklists.applicants_only': (
        'my applications are for enterprises and the window',
        '“我的申请”只供企业和窗口人员使用'),
    # each role's display name (engine/org/roles.py), wherever a page or a message names it
    'role.intake': ('Intake Clerk', '受理员'),
    'role.approver': ('Approving Leader', '分管领导'),
    'role.handler': ('Handling Unit', '承办部门'),
    'role.case_manager': ('Case Supervision Office', '案件监督管理室'),
    'role.style_group': ('Work Style Group', '作风优化组'),
    'role.supervision_office': (
        'Party and Government Conduct Supervision Office', '党风政风监督室'),
    'role.city_leader': ('City Commission Leader', '市纪委市监委领导'),
    'role.city_investigator': ('City Commission Investigation Team', '市纪委市监委核查组'),
    'role.reform_group': ('Reform and Innovation Group', '改革创新组'),
    'role.responsible_unit': ('Responsible Unit', '责任单位'),
    'role.sector_regulator': ('Sector Regulator', '行业主管部门'),
    'role.lead_department': ('Lead Department', '牵头部门'),
    'role.enterprise': ('Enterprise', '企业'),
    'role.window': ('Subsidy Service Window', '惠企政策兑现专窗'),
    'role.credit_window': ('Credit Repair Window', '信用修复窗口'),
    'role.policy_dept': ('Policy Department', '政策主管部门'),
    'role.data_bureau': ('Municipal Data Bureau', '市政数局'),
    'role.auditor': ('Auditor', '审计/监督'),
    'role.designer': ('Process Designer', '流程设计员'),
}
