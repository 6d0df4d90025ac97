"""What a form says beside a field whose value it refuses (JSON Schema validation of a
submission): key -> (English, Chinese). The forms are Chinese, and so is the default."""

FIELDS: dict[str, tuple[str, str]] = {
    'field.bad_email': (
        'not a valid email address',
        '不是有效的电子邮件地址'),
    'field.bad_phone': (
        'not a telephone number',
        '不是有效的电话号码'),
    'field.bad_language': (
        'choose 中文 or English',
        '请选择中文或 English'),
    'field.email_too_long': (
        'an e-mail address has at most {most} characters',
        '电子邮件地址最多 {most} 个字符'),
    'field.phone_length': (
        'a telephone number has {least} to {most} characters, spaces and hyphens included',
        '电话号码应为 {least} 至 {most} 个字符（空格和连字符计算在内）'),
    'field.business_key_by_system': (
        ('cases of this process are numbered by the '
         'system ({case_prefix}-year-number) and cannot be named'),
        '本流程的案件由系统编号（{case_prefix}-年份-序号），不能指定'),
    'field.business_key_length': (
        '1 to 64 characters',
        '1 到 64 个字符'),
    'field.case_awaits_not_yet': (
        '{process} case "{value}" is still at "{steps}": you can {doing} only once it has '
        'reached "{stages}"',
        '{process}案件“{value}”还在「{steps}」，暂不能{doing}，待其办到「{stages}」后才可以'),
    'field.case_awaits_not_yet_bare': (
        '{process} case "{value}" has not reached "{stages}" yet: you can {doing} only once it '
        'has',
        '{process}案件“{value}”尚未办到「{stages}」，暂不能{doing}，待其办到后才可以'),
    'field.case_awaits_past': (
        '{process} case "{value}" is past "{stages}" (now at "{steps}"): you can no longer '
        '{doing}',
        '{process}案件“{value}”已过「{stages}」（现在「{steps}」），不能再{doing}'),
    'field.case_awaits_past_bare': (
        '{process} case "{value}" is past "{stages}": you can no longer {doing}',
        '{process}案件“{value}”已过「{stages}」，不能再{doing}'),
    'field.case_awaits_closed': (
        '{process} case "{value}" is closed: you can no longer {doing}',
        '{process}案件“{value}”已办结，不能再{doing}'),
    'field.case_awaits_terminated': (
        '{process} case "{value}" has been terminated: you can no longer {doing}',
        '{process}案件“{value}”已终止，不能再{doing}'),
    'field.case_awaits_start': (
        'start a {process} about it',
        '发起{process}'),
    'field.case_awaits_thrown': (
        'go on with the {process} about it',
        '继续{process}'),
    'field.case_awaits_task': (
        'complete "{step}" with it',
        '以它办理「{step}」'),
    'field.case_unknown': (
        'there is no {process} case numbered "{value}": check the number',
        '没有编号为“{value}”的{process}案件，请核对编号'),
    'field.catalogue_unlisted': (
        '"{value}" is not in the {table}; choose one from the list',
        '“{value}”未列入《{table}》，请从清单中选择'),
    'field.catalogue_unlisted_near': (
        '"{value}" is not in the {table}; did you mean: {close}',
        '“{value}”未列入《{table}》，您是否要找：{close}'),
    'field.data_not_object': (
        'the submitted data must be an object',
        '提交的数据必须是对象'),
    'field.credit_code_length': (
        'a 统一社会信用代码 has 18 characters, this one {count}',
        '统一社会信用代码应为18位，现为{count}位'),
    'field.credit_code_character': (
        'character {position} ("{char}") cannot stand there in a 统一社会信用代码 (no I, O, S, V '
        'or Z; characters 3 to 8 are digits)',
        '第{position}位“{char}”不符合统一社会信用代码的编码规则（不用I、O、S、V、Z，第3至8位为数字）'),
    'field.credit_code_check': (
        'the check character (the 18th) does not match the other 17: check each character '
        'against the business licence',
        '校验码（第18位）与前17位不符，请对照营业执照逐位核对'),
    'field.credit_code_not_own': (
        'an enterprise applies under its own 统一社会信用代码 {code}',
        '企业只能以本企业的统一社会信用代码 {code} 申请'),
    'field.date_format': (
        'a date is written YYYY-MM-DD',
        '日期格式应为 YYYY-MM-DD'),
    'field.date_time_format': (
        'a time is written in ISO 8601 with a time zone, e.g. 2026-09-30T16:00:00+08:00',
        '时间格式应为 ISO 8601 并带时区，如 2026-09-30T16:00:00+08:00'),
    'field.exclusive_maximum': (
        'must be less than {limit}',
        '应小于 {limit}'),
    'field.exclusive_minimum': (
        'must be more than {limit}',
        '应大于 {limit}'),
    'field.extra': (
        'has fields the form does not have',
        '包含表单中没有的字段'),
    'field.extra_named': (
        'has fields the form does not have: {fields}',
        '包含表单中没有的字段：{fields}'),
    'field.format': (
        'must have the format {format}',
        '格式应为 {format}'),
    'field.instance_of_other_process': (
        'case {instance_id} belongs to process {key}',
        '案件 {instance_id} 属于流程 {key}'),
    'field.invalid': (
        'the value does not fit the form',
        '填写内容不符合要求'),
    'field.kind.array': (
        'a list',
        '列表'),
    'field.kind.boolean': (
        'yes or no',
        '是/否'),
    'field.kind.integer': (
        'a whole number',
        '整数'),
    'field.kind.json_array': (
        'a list (JSON)',
        '列表（JSON）'),
    'field.kind.json_object': (
        'an object (JSON)',
        '对象（JSON）'),
    'field.kind.number': (
        'a number',
        '数字'),
    'field.kind.object': (
        'an object',
        '对象'),
    'field.kind.string': (
        'text',
        '文本'),
    'field.kind_or': (
        '{first} or {second}',
        '{first}或{second}'),
    'field.max_items': (
        'choose at most {limit}',
        '最多选择 {limit} 项'),
    'field.max_length': (
        'at most {limit} characters',
        '最多 {limit} 个字符'),
    'field.maximum': (
        'must not be more than {limit}',
        '不能大于 {limit}'),
    'field.message_without_form': (
        ('the event receiving this message declares '
         'no form, so the message cannot carry this field'),
        '接收此消息的事件没有声明表单，消息不能携带此字段'),
    'field.min_items': (
        'choose at least {limit}',
        '至少选择 {limit} 项'),
    'field.min_length': (
        'at least {limit} characters',
        '至少 {limit} 个字符'),
    'field.minimum': (
        'must not be less than {limit}',
        '不能小于 {limit}'),
    'field.missing_columns': (
        'line {line}: missing columns {columns}',
        '第 {line} 行：缺少列 {columns}'),
    'field.multiple_of': (
        'must be a multiple of {factor}',
        '应为 {factor} 的整数倍'),
    'field.must_tick': (
        'tick this to submit',
        '须勾选此项才能提交'),
    'field.no_start_event': (
        'no such start event',
        '没有此开始事件'),
    'field.no_units': (
        'no units',
        '没有单位'),
    'field.not_a_bundle': (
        'not a {format} file',
        '不是 {format} 文件'),
    'field.not_an_option': (
        'not one of the options',
        '不是有效的选项'),
    'field.not_in_form': (
        'the form has no such field',
        '表单中没有此字段'),
    'field.other_username': (
        'choose another username',
        '请换一个用户名'),
    'field.paste_beyond_titles': (
        ('nothing was pasted: line {line} has {found} columns, the title line names only '
         '{expected}; give every column a title'),
        ('未填入粘贴的内容：第 {line} 行有 {found} 列，标题行只有 {expected} 列；'
         '请给每一列加上标题')),
    'field.paste_too_many_columns': (
        ('nothing was pasted: the table has {expected} columns, line {line} has {found}; '
         'copy only the table\'s columns, or copy their title line with them'),
        ('未填入粘贴的内容：表格有 {expected} 列，第 {line} 行却有 {found} 列；'
         '请只复制表格的各列，或连同标题行一起复制')),
    'field.paste_unknown_titles': (
        ('nothing was pasted: the title line names columns the table does not have: {titles}; '
         'its columns are {columns}'),
        '未填入粘贴的内容：标题行中的 {titles} 不是表格的列；表格的列为：{columns}'),
    'field.paste_untitled_column': (
        ('nothing was pasted: line {line} has a value in column {column}, whose title is '
         'blank; give that column a title or leave it out'),
        ('未填入粘贴的内容：第 {line} 行第 {column} 列有内容，但这一列的标题是空的；'
         '请补上标题或不复制这一列')),
    'field.pattern': (
        'not in the expected format',
        '格式不正确'),
    'field.period_reversed': (
        'must not be after the end date',
        '不能晚于结束日期'),
    'field.person_ambiguous': (
        '"{value}" names several people here; choose one from the list or give the '
        'username: {named}',
        '“{value}”对应此处多名可选人员，请从列表中选择或填写用户名：{named}'),
    'field.person_unknown': (
        '"{value}" is not a person to choose here (choose from the list, or give a name or '
        'username)',
        '“{value}”不是此处可选的人员（请从列表中选择，或填写姓名、用户名）'),
    'field.person_unknown_near': (
        '"{value}" is not a person to choose here; did you mean: {named}',
        '“{value}”不是此处可选的人员，您是否要找：{named}'),
    'field.policy_instead.commitment': (
        'apply through the procedure "惠企政策兑现：承诺兑现"',
        '请通过“惠企政策兑现：承诺兑现”流程申请'),
    'field.policy_instead.instant': (
        'apply through the procedure "惠企政策兑现：即申即享"',
        '请通过“惠企政策兑现：即申即享”流程申请'),
    'field.policy_instead.none_needed': (
        ('the owning department approves and pays it '
         'of its own accord; the enterprise need not apply'),
        '由政策主管部门主动核定兑付，企业无需申请'),
    'field.policy_instead.other': (
        'handle it the way its mode says',
        '请按该兑现方式办理'),
    'field.policy_other_mode': (
        '{policy_id} ({policy_name}) is a {mode} policy, not handled in this procedure: {instead}',
        '{policy_id}（{policy_name}）为{mode}事项，不在本流程办理，{instead}'),
    'field.policy_other_department': (
        'policy {policy_id} {policy_name} is owned by {department}: a department starts'
        ' batches for its own policies',
        '政策 {policy_id} {policy_name} 的政策主管部门是{department}，'
        '本单位只能发起本单位主管政策的兑现批次'),
    'field.policy_unlisted': (
        'policy number "{value}" is not in the 惠企政策清单; choose one from the list',
        '政策编号“{value}”未列入《惠企政策清单》，请从清单中选择'),
    'field.policy_unlisted_near': (
        'policy number "{value}" is not in the 惠企政策清单; did you mean: {close}',
        '政策编号“{value}”未列入《惠企政策清单》，您是否要找：{close}'),
    'field.redo_only': (
        'offered only when this step is done again',
        '此项仅在本环节重新办理时填写'),
    'field.read_only': (
        'this field is read-only',
        '此字段只读'),
    'field.read_only_changed': (
        'read-only: it must stay as the task has it',
        '此项只读，须与本任务中的内容一致，不能修改'),
    'field.required': (
        'this field is required',
        '此项为必填项'),
    'field.roles_need_unit': (
        'roles {roles} need a unit',
        '角色 {roles} 需要指定单位'),
    'field.set_by_system': (
        'filled in by the system, not from outside',
        '由系统填写，不能由外部设置'),
    'field.starter_enterprise': (
        'an enterprise starting the case itself files it as "{value}", not "{given}"',
        '企业自行发起时此项为“{value}”，不能选择“{given}”'),
    'field.starter_staff': (
        ('"{given}" is not for staff to choose (an enterprise starting the case itself files it '
         'as "{enterprise}"): choose one of {choices}'),
        '工作人员发起时不能选择“{given}”（企业自行发起的为“{enterprise}”），请从以下选项中选择：{choices}'),
    'field.type': (
        'must be {kind}',
        '应为{kind}'),
    'field.unique_items': (
        'must not list an item twice',
        '不能有重复的项'),
    'field.unit_name_length': (
        'a unit name has at most {limit} characters',
        '单位名称最多 {limit} 个字符'),
    'field.unit_alias_not_offered': (
        '"{text}" ({unit}) is not among the units to choose here',
        '“{text}”（即{unit}）不在此处可选的单位之列'),
    'field.unit_alias_not_offered_near': (
        '"{text}" ({unit}) is not among the units to choose here; choose e.g.: {closest}',
        '“{text}”（即{unit}）不在此处可选的单位之列，可选如：{closest}'),
    'field.unit_not_offered': (
        '"{unit}" is not among the units to choose here',
        '“{unit}”不在此处可选的单位之列'),
    'field.unit_not_offered_near': (
        '"{unit}" is not among the units to choose here; choose e.g.: {closest}',
        '“{unit}”不在此处可选的单位之列，可选如：{closest}'),
    'field.unit_unknown': (
        'the directory has no unit "{text}"',
        '单位名录中没有“{text}”'),
    'field.unit_unknown_near': (
        'the directory has no unit "{text}"; did you mean: {closest}',
        '单位名录中没有“{text}”，您是否要找：{closest}'),
    'field.unknown_choices': (
        'unknown: {choices}',
        '未知：{choices}'),
    'field.unknown_roles': (
        'unknown roles: {roles}',
        '未知的角色：{roles}'),
    'field.wrong_current_password': (
        'the current password is wrong',
        '当前密码不正确'),
}
