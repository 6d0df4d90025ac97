"""Messages about form documents: what ``check_form`` finds wrong with a form's JSON Schema and
its Kuaiban keywords, and the field errors of a submission: key -> (English, Chinese)."""

FORMS: dict[str, tuple[str, str]] = {
    'form.case_of_shape': (
        '"x-case-of" of "{name}" must name a procedure (its process id) or a list of them, '
        'on a text field',
        '字段“{name}”的 "x-case-of" 应为一个流程的标识（process id）或其列表，且该字段为文本'),
    'form.case_awaits_shape': (
        '"x-case-awaits" of "{name}" must name a message or a list of them, on a field with '
        '"x-case-of"',
        '字段“{name}”的 "x-case-awaits" 应为一个消息名称或其列表，且该字段设有 "x-case-of"'),
    'form.case_facts_shape': (
        '"x-case-facts" of "{name}" must be a list of field names, on a field with "x-case-of"',
        '字段“{name}”的 "x-case-facts" 应为字段名称的列表，且该字段设有 "x-case-of"'),
    'form.case_awaits_unheard': (
        '"x-case-awaits" of "{name}": a running {process} case never waits for {messages} '
        '(it waits for: {caught})',
        '字段“{name}”的 "x-case-awaits"：{process} 的案件在办理中从不等待消息 {messages}'
        '（它等待的消息：{caught}）'),
    'form.catalogue_shape': (
        '"x-catalogue" of "{name}" must name a decision table (its decision id)',
        '字段“{name}”的 "x-catalogue" 应为一个决策表的名称（其 decision id）'),
    'form.catalogue_unknown': (
        ('"x-catalogue" of "{name}" names decision "{decision}", which is neither deployed '
         'nor among the files; known: {known}'),
        ('字段“{name}”的 "x-catalogue" 指向的决策“{decision}”既未部署，'
         '也不在本次文件中；已有：{known}')),
    'form.checks_not_list': (
        '"x-checks" must be a list of rules',
        '"x-checks" 必须是规则列表'),
    'form.checks_rule': (
        '"x-checks" rule {index}: {problem}',
        '"x-checks" 第 {index} 条规则：{problem}'),
    'form.confidential_not_list': (
        '"x-confidential" of "{name}": must be a list of role ids, e.g. ["intake", "auditor"]',
        '字段“{name}”的 "x-confidential" 必须是角色 id 列表，如 ["intake", "auditor"]'),
    'form.confidential_unknown_roles': (
        '"x-confidential" of "{name}": unknown role(s): {roles}',
        '字段“{name}”的 "x-confidential" 含有未知角色：{roles}'),
    'form.default_from_itself': (
        '"x-default" of "{name}" names the field itself: {{"from": ...}} names another field,'
        ' such as "approved_amount"',
        '字段“{name}”的 "x-default" 指向了该字段自身：{{"from": ...}} 应指向另一个字段，'
        '如 "approved_amount"'),
    'form.default_from_kind': (
        '"x-default" of "{name}": {{"from": ...}} starts a text, number, date, choice or'
        ' yes/no field that is not read-only',
        '字段“{name}”的 "x-default"：{{"from": ...}} 只能用于非只读的文本、数字、日期、选项或'
        '是/否字段'),
    'form.default_from_shape': (
        '"x-default" of "{name}": {value} is not {{"from": "<field>"}} naming one field'
        ' (letters, digits and _)',
        '字段“{name}”的 "x-default"：{value} 不是 {{"from": "字段名"}} 的形式（一个字段名，'
        '由字母、数字和 _ 组成）'),
    'form.default_now_shape': (
        '"x-default" of "{name}" can only be "blank", "now" on a date, date-time or integer'
        ' (year) field, or {{"from": "<field>"}}',
        '字段“{name}”的 "x-default" 只能是 "blank"、用于日期、日期时间、整数（年度）字段的'
        ' "now"，或 {{"from": "字段名"}}'),
    'form.default_part_shape': (
        '"x-default" of "{name}": an object\'s property can only start {{"from": "<field>"}}'
        ' (another of its properties, or a field of the case)',
        '“{name}”的 "x-default"：对象的属性只能用 {{"from": "字段名"}}（该对象的另一属性，'
        '或案件中的字段）'),
    'form.file_accept': (
        'file field "{name}": "accept" must list some of {kinds}',
        '文件字段“{name}”：“accept”应列出以下类型中的若干种：{kinds}'),
    'form.file_max_files': (
        'file field "{name}": "max_files" must be 1 to {most}',
        '文件字段“{name}”：“max_files”应为 1 至 {most}'),
    'form.file_max_mb': (
        'file field "{name}": "max_mb" must be a positive number',
        '文件字段“{name}”：“max_mb”应为正数'),
    'form.file_not_object': (
        'field "{name}": "x-file" must be an object',
        '字段“{name}”：“x-file”必须是对象'),
    'form.file_shape': (
        ('file field "{name}" must be "type": "array" with "items": {{"type": "string"}} (its '
         "value lists the files' sha256)"),
        ('文件字段“{name}”必须是 "type": "array"，且 "items": {{"type": "string"}}（其值列出各文件'
         '的 sha256）')),
    'form.file_unknown_keys': (
        'file field "{name}": unknown x-file keys {keys} (accept, max_files, max_mb)',
        '文件字段“{name}”：x-file 中有未知的键 {keys}（可用 accept、max_files、max_mb）'),
    'form.format_unchecked': (
        'format "{format}" is not checked by Kuaiban (use one of: {formats}, or "pattern")',
        '快办不检查格式“{format}”（请使用 {formats} 之一，或使用 "pattern"）'),
    'form.json_invalid': (
        'not valid JSON: {error} (column {column})',
        '不是有效的 JSON：{error}（第 {column} 列）'),
    'form.not_object': (
        'a form must be a JSON object',
        '表单必须是 JSON 对象'),
    'form.org_unit_shape': (
        '"x-org-unit" of "{name}" must be true or an object with lists of tags / kinds '
        'and "within": "case_area"',
        '字段“{name}”的 "x-org-unit" 应为 true，或含 tags / kinds 列表及 "within": "case_area" '
        '的对象'),
    'form.policy_shape': (
        '"x-policy" of "{name}" must be true or {{"modes": [...]}} with modes among {modes}'
        ' (and "own_department": true or false)',
        '字段“{name}”的 "x-policy" 应为 true 或 {{"modes": [...]}}，兑现方式限于 {modes}'
        '（可加 "own_department": true 或 false）'),
    'form.problem_at_line': (
        'line {line}: {problem}',
        '第 {line} 行：{problem}'),
    'form.properties_not_object': (
        '"properties" must be an object',
        '"properties" 必须是对象'),
    'form.required_not_declared': (
        'required field "{name}" is not in "properties"',
        '必填字段“{name}”不在 "properties" 中'),
    'form.rule_bound': (
        'give exactly one of "at_most", "at_least", "before", "after"',
        '"at_most"、"at_least"、"before"、"after" 须且只须给出一个'),
    'form.rule_confirmed_by': (
        '"confirmed_by" must name a boolean field of the form, not {value}',
        '"confirmed_by" 应为本表单的是/否字段，而不是 {value}'),
    'form.rule_explained_by': (
        '"explained_by" must name a text field of the form, not {value}, and not go with '
        '"confirmed_by"',
        '"explained_by" 应为本表单的文字字段，而不是 {value}，且不与 "confirmed_by" 同用'),
    'form.rule_field': (
        '"field" must name a field of the form, not {value}',
        '"field" 应为本表单的字段，而不是 {value}'),
    'form.rule_message': (
        '"message" (what the clerk reads, in Chinese) is required',
        '缺少 "message"（办理人看到的中文提示）'),
    'form.rule_not_object': (
        'must be an object',
        '必须是对象'),
    'form.rule_reference': (
        '"{bound}" must be "now", a field name or a number',
        '"{bound}" 应为 "now"、字段名或数字'),
    'form.rule_unknown_keys': (
        'unknown key(s): {keys}',
        '未知的键：{keys}'),
    'form.schema_invalid': (
        'not a valid JSON Schema: {error}',
        '不是有效的 JSON Schema：{error}'),
    'form.schema_invalid_at': (
        'not a valid JSON Schema at {where}: {error}',
        '在 {where} 处不是有效的 JSON Schema：{error}'),
    'form.schema_version': (
        '"$schema" must be "{uri}" (JSON Schema 2020-12)',
        '"$schema" 必须是 "{uri}"（JSON Schema 2020-12）'),
    'form.phrases_not_boolean': (
        '"x-phrases" of "{name}" must be true, false or a list of phrases (texts)',
        '字段“{name}”的 "x-phrases" 应为 true、false 或常用意见（文字）的列表'),
    'form.phrases_not_text': (
        ('"x-phrases" of "{name}": only a text field (a string without "format" or choices) '
         'offers 常用意见'),
        ('字段“{name}”的 "x-phrases"：只有文本字段（不带 "format" 或可选值的字符串）'
         '才能提供常用意见')),
    'form.urges_malformed': (
        ('"x-urges" of "{name}" must be an object of "role" (whose open tasks it urges) and '
         '"note" (the text field the urge says)'),
        ('字段“{name}”的 "x-urges" 应为对象，含 "role"（催办哪个角色的待办）和 "note"'
         '（催办说明取自哪个文本字段）')),
    'form.urges_not_boolean': (
        '"x-urges" of "{name}": only a boolean field (a box to tick) urges',
        '字段“{name}”的 "x-urges"：只有布尔字段（勾选框）才能催办'),
    'form.urges_unknown_role': (
        '"x-urges" of "{name}": "{role}" is not a role (known: {known})',
        '字段“{name}”的 "x-urges"：“{role}”不是角色（可用：{known}）'),
    'form.urges_note_not_text': (
        '"x-urges" of "{name}": "note" names "{note}", which is not a text field of this form',
        '字段“{name}”的 "x-urges"："note" 指定的“{note}”不是本表单的文本字段'),
    'form.starter_not_choice': (
        ('"x-starter" of "{name}": the field must list its values ("enum", or "oneOf" with '
         '"const")'),
        '字段“{name}”的 "x-starter"：该字段须列出可选值（"enum"，或含 "const" 的 "oneOf"）'),
    'form.starter_shape': (
        ('"x-starter" of "{name}" must be {{"enterprise": value, "staff": [values]}}: the value '
         'an enterprise starting the case itself gets, and the values staff may choose '
         '("staff" optional, not empty)'),
        ('字段“{name}”的 "x-starter" 应为 {{"enterprise": 值, "staff": [值, ...]}}：企业自行发起时'
         '取的值，以及工作人员可选的值（"staff" 可省略，不能为空列表）')),
    'form.starter_unknown_values': (
        '"x-starter" of "{name}" names {values}, not among the field\'s options {options}',
        '字段“{name}”的 "x-starter" 中的 {values} 不是该字段的可选值（{options}）'),
    'form.type_not_object': (
        'a form schema must have "type": "object"',
        '表单的 schema 必须是 "type": "object"'),
    'form.redo_shape': (
        '"x-redo" of "{name}" can only be true, on a field filled in (not read-only, not a file)',
        '字段“{name}”的 "x-redo" 只能为 true，且用于需填写的字段（非只读、非文件）'),
    'form.acknowledgement_shape': (
        ('"x-acknowledgement" of "{name}" can only be true, on a box to tick (a boolean with '
         '"const": true)'),
        '字段“{name}”的 "x-acknowledgement" 只能为 true，且用于勾选框（boolean，"const": true）'),
    'form.redo_only_fields': (
        'some fields are offered only when this step is done again',
        '部分字段仅在本环节重新办理时填写'),
    'form.user_shape': (
        '"x-user" of "{name}" must be true or an object with "roles" (a list) / "same_unit"',
        '字段“{name}”的 "x-user" 应为 true，或含 "roles"（列表）/ "same_unit" 的对象'),
    'form.user_unknown_roles': (
        '"x-user" of "{name}" names unknown roles: {roles}',
        '字段“{name}”的 "x-user" 含有未知角色：{roles}'),
}
