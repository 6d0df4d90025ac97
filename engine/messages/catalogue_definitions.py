"""Messages about definitions: deploying, validating and reading processes, forms and documents:
key -> (English, Chinese)."""

DEFINITIONS: dict[str, tuple[str, str]] = {
    'bpmn.boundary_target_missing': (
        'boundary event is attached to "{target}", which is no task or subprocess of this process',
        '边界事件附着在“{target}”上，但它不是本流程的任务或子流程'),
    'bpmn.called_process_missing': (
        ('called process "{called}" is not in the files given (deploy it together; processes: '
         '{known})'),
        '所调用的流程“{called}”不在上传的文件中（请一并部署；现有流程：{known}）'),
    'bpmn.decision_not_found': (
        'decision "{ref}" not found in the DMN files',
        'DMN 文件中找不到决策“{ref}”'),
    'bpmn.document_per_item': (
        'document template "{key}" is a letter to one item of a list: it needs a '
        'multi-instance step, whose every item it is issued for',
        '文书模板“{key}”是逐项出具的文书（名单中每项一份），只能用于多实例步骤'),
    'bpmn.document_template_missing': (
        'document template "{key}" is not in {registry} (templates: {listed})',
        '文书模板“{key}”不在 {registry} 中（现有模板：{listed}）'),
    'bpmn.flow_source_missing': (
        'the flow starts at "{ref}", which is no element of this process (or subprocess)',
        '顺序流的起点“{ref}”不是本流程（或子流程）中的元素'),
    'bpmn.flow_target_missing': (
        'the flow leads to "{ref}", which is no element of this process (or subprocess)',
        '顺序流的终点“{ref}”不是本流程（或子流程）中的元素'),
    'bpmn.form_invalid': (
        'form "{key}" is invalid',
        '表单“{key}”有误'),
    'bpmn.form_not_found': (
        'form "{key}" not found',
        '找不到表单“{key}”'),
    'bpmn.invalid': (
        '{message}',
        '流程定义有误：{message}'),
    'bpmn.lane_without_role': (
        'lane "{lane}" maps to no role (known: {known})',
        '泳道“{lane}”没有对应的角色（已知角色：{known}）'),
    'bpmn.message_form_empty': (
        'message_form names no form',
        'message_form 没有指定表单'),
    'bpmn.message_form_without_message': (
        'message_form on an event that catches no message',
        '不接收消息的事件不能设置 message_form'),
    'bpmn.person_step_in_system_lane': (
        ('lane "{lane}" is the engine\'s own: a user task or start event in it would have no '
         'role to work or start it'),
        '泳道“{lane}”是系统自动执行的步骤所在的泳道：用户任务和开始事件不能放在其中（没有角色可以办理或发起）'),
    'bpmn.send_back_unknown': (
        ('sendBack names {unknown}: not another user task of this process (write true, false, or '
         'user task ids separated by commas)'),
        ('sendBack 中的 {unknown} 不是本流程的其他用户任务（应填 true、false 或以逗号分隔的用户任'
         '务 id）')),
    'bpmn.urges_on_start_form': (
        ('form "{key}" declares "x-urges" on "{field}", but it is a start form: there are no '
         'open tasks of the case to urge yet (use it on a task\'s form)'),
        ('表单“{key}”在字段“{field}”上声明了 "x-urges"，但它是发起表单：案件尚无待办可催办'
         '（请用于任务表单）')),
    'bpmn.starter_on_task_form': (
        ('form "{key}" declares "x-starter" on "{field}", but it is a task\'s form: "x-starter" '
         'applies to a start form only (remove it, or use the form as the start form)'),
        ('表单“{key}”在字段“{field}”上声明了 "x-starter"，但它是任务表单："x-starter" 只用于发起'
         '表单（请删除，或将其作为开始事件的表单）')),
    'bpmn.start_key_numbered': (
        ('a timer start may name its case (business_key) only in a process that does not number '
         'its cases (case_prefix)'),
        '定时启动事件只能在不自动编号（未设 case_prefix）的流程中指定案件编号（business_key）'),
    'bpmn.start_key_without_timer': (
        'business_key names the case a timer start event starts; this start event has no timer',
        'business_key 指定定时启动事件所发起案件的编号，此启动事件不是定时启动'),
    'bpmn.start_timer_duration': (
        'a start timer needs a timeDate or timeCycle, not a duration',
        '定时启动事件需要 timeDate 或 timeCycle，不能用 timeDuration'),
    'bpmn.subject_confidential': (
        ('the case subject names "{field}", a confidential field: everyone who sees the case\'s '
         'tasks would read it'),
        '案件事由引用了保密字段“{field}”：能看到该案件待办的人都会看到它'),
    'bpmn.subject_file': (
        'the case subject names "{field}", a file field (a subject is text)',
        '案件事由引用了附件字段“{field}”（事由只能由文字组成）'),
    'bpmn.subject_malformed': (
        ('the case subject "{subject}" is not a template: write fields as {{field_name}}, and '
         'no other braces'),
        '案件事由“{subject}”格式不正确：字段写作 {{字段名}}，不能有其他花括号'),
    'bpmn.subject_too_long': (
        'the case subject template is longer than {limit} characters',
        '案件事由模板超过 {limit} 个字符'),
    'bpmn.subject_without_field': (
        ('the case subject "{subject}" names no field: every case would have the same one '
         '(write fields as {{field_name}})'),
        '案件事由“{subject}”没有引用任何字段，所有案件的事由都会相同（字段写作 {{字段名}}）'),
    'bpmn.task_name_too_long': (
        'task name longer than 255 characters',
        '任务名称超过 255 个字符'),
    'bpmn.task_without_lane': (
        'user task is in no lane, so no role may work on it',
        '用户任务不在任何泳道中，没有角色可以办理'),
    'bpmn.timer': (
        'timer: {message}',
        '定时器：{message}'),
    'bpmn.timer_start_id_too_long': (
        'timer start event id longer than {limit} characters',
        '定时启动事件的 id 超过 {limit} 个字符'),
    'bpmn.too_long': (
        '{what} longer than {limit} characters',
        '{what} 超过 {limit} 个字符'),
    'bpmn.unknown_notice': (
        ('notify "{notice}" is not a notice this element can ask for ("decided": the applicant '
         'hears the task is done; on a user task also "paid": the enterprise its item names '
         'hears what was paid)'),
        ('notify “{notice}” 不是此元素可以使用的通知（“decided”：任务办结时通知申请人；'
         '人工任务还可用 “paid”：通知该项所指企业已兑付的金额）')),
    'bpmn.applicant_withdraws': (
        'applicant_withdraws "{value}" must be "true" (the applicant may withdraw while the case '
        'waits here) or left out',
        'applicant_withdraws “{value}” 只能为 “true”（案件停在此环节时申请人可撤回申请），或不写'),
    'bpmn.unknown_single_open': (
        ('single_open "{value}" is neither "true" (one open task of this step per case: a '
         'repeat arriving while one is open is withdrawn) nor "false"'),
        ('single_open “{value}” 既不是“true”（每个案件此环节同时只有一个待办：已有待办时再次到达的'
         '不再新建）也不是“false”')),
    'bpmn.single_open_multi_instance': (
        ('single_open cannot be used on a multi-instance or loop task: its items are open '
         'together by design'),
        'single_open 不能用于多实例或循环任务：其各项本就同时办理'),
    'bpmn.reads_case_unknown': (
        ('reads_case "{field}" is not a field of this process\'s forms that names a case '
         '(x-case-of); fields that do: {known}'),
        ('reads_case “{field}” 不是本流程表单中指向其他案件（x-case-of）的字段；可用的字段：'
         '{known}')),
    'bpmn.single_open_not_user_task': (
        'single_open belongs on a user task: only a person\'s task is held open',
        'single_open 只能用于用户任务：只有人办理的任务才会处于待办'),
    'bpmn.unknown_repeats': (
        ('repeats "{value}" is neither "true" (the step comes round by design: each of its '
         'tasks is new, never marked resubmitted) nor "false"'),
        ('repeats “{value}” 既不是“true”（此环节按设计反复办理：每次都是新的待办，不标为重新提交）'
         '也不是“false”')),
    'bpmn.repeats_not_user_task': (
        'repeats belongs on a user task: only a person\'s task is marked resubmitted',
        'repeats 只能用于用户任务：只有人办理的待办才会标为重新提交'),
    'bpmn.unknown_back_to': (
        ('back_to "{value}" is not where a step done before may go when the case comes back '
         'to it ("done_by": to whoever did it, the default; "pool": to the pool)'),
        ('back_to “{value}” 不是环节再次到达时的去向（“done_by”：交给上次办理人，默认；'
         '“pool”：进入待认领）')),
    'bpmn.unknown_unit': (
        '{how}: no such unit in the unit directory{hint}',
        '{how}：单位名录中没有此单位{hint}'),
    'bpmn.unparsable': (
        'SpiffWorkflow cannot parse this ({kind}: {message})',
        '无法解析此文件（{kind}：{message}）'),
    'code.refused': (
        '{what}: {message}',
        '{what}：{message}'),
    'data.invalid': (
        'invalid data',
        '提交的数据有误'),
    'deploy.designer_only': (
        'deploying needs the designer role',
        '部署流程需要流程设计员角色'),
    'deploy.designer_role': (
        'only users with the designer role (流程设计员) may deploy',
        '只有流程设计员可以部署流程'),
    'diagram.none': (
        'version {version} of "{key}" has no diagram',
        '“{key}”的第 {version} 版没有流程图'),
    'dmn.wrong_namespace': (
        'not a DMN document (namespace "{namespace}"); use {expected}',
        '不是 DMN 文档（命名空间“{namespace}”）；应使用 {expected}'),
    'document.fill_failed': (
        'the document template {file} could not be filled: {exc}',
        '文书模板 {file} 填写失败：{exc}'),
    'document.no_doc_code': (
        '"{unit}" has no 发文代字 (doc_code) in the unit directory: "{title}" cannot be issued '
        'in its name; add one to the directory',
        '“{unit}”在单位名录中没有发文代字（doc_code），无法以其名义出具“{title}”，请在单位名录中补充'),
    'document.not_for_process': (
        '"{title}" does not apply to this kind of case',
        '“{title}”不适用于此类案件'),
    'document.per_item_only': (
        '"{title}" is issued by its step, one for each item of the list, never by hand',
        '“{title}”由流程的逐项步骤出具（名单中每项一份），不能手工出具'),
    'document.not_yet': (
        '"{title}" cannot be issued yet: it needs {when}',
        '“{title}”暂不能出具：须{when}'),
    'document.numbering_busy': (
        'another document was numbered at the same moment; try again',
        '另一份文书同时在编号，请重试'),
    'document.registry_unreadable': (
        '{path}: the document registry cannot be read ({exc})',
        '{path}：无法读取文书模板目录（{exc}）'),
    'document.role_may_not_issue': (
        'your role may not issue "{title}"',
        '您的角色不能出具“{title}”'),
    'document.template_not_found': (
        'no document template "{key}" (available: {known})',
        '没有名为“{key}”的文书模板（可用：{known}）'),
    'document.template_unreadable': (
        'the document template file {file} cannot be read ({strerror})',
        '文书模板文件 {file} 无法读取（{strerror}）'),
    'document.when_refused': (
        '{path}: the condition "when" of "{key}" is not an expression the engine runs ({problems})',
        '{path}：文书模板“{key}”的出具条件 when 不是可执行的表达式（{problems}）'),
    'file.no_pdf': (
        'only documents (.docx) convert to PDF',
        '只有文书（.docx）可以转为 PDF'),
    'file.no_print_view': (
        'only documents (.docx) have a print view',
        '只有文书（.docx）可以打印预览'),
    'file.not_found': (
        'no such file',
        '没有此文件'),
    'file.not_readable': (
        'no such file among the cases you may read',
        '在您可查看的案件中没有此文件'),
    'form.invalid': (
        'The form has errors',
        '表单填写有误'),
    'form.read_only_fields': (
        'Read-only fields cannot be submitted',
        '只读字段不能提交'),
    'form.unknown_fields': (
        'The form has no such fields',
        '表单中没有这些字段'),
    'lint.empty_lane_without_role': (
        ('lane "{lane}" matches no role; it holds no elements yet, but a task put in it could not '
         'be worked (roles: {known})'),
        '泳道“{lane}”没有对应的角色；它现在是空的，但放进去的任务将无人可办（角色：{known}）'),
    'lint.exclusive_gateway_without_default': (
        ('exclusive gateway has {count} outgoing flows and no default flow: when no condition '
         'holds, the case stops with an error'),
        '排他网关有 {count} 条出口但没有默认出口：所有条件都不成立时，案件将出错停止'),
    'lint.inclusive_gateway_without_default': (
        ('inclusive gateway has {count} outgoing flows and no default flow: when no condition '
         'holds, the case stops with an error'),
        '包容网关有 {count} 条出口但没有默认出口：所有条件都不成立时，案件将出错停止'),
    'lint.no_due_date': (
        ('user task has no due date (camunda:dueDate): inboxes show no deadline and it is never '
         'overdue (none on purpose: camunda property deadline="none")'),
        ('用户任务没有办理期限（camunda:dueDate）：待办中不显示期限，也不会超期（有意不设期限：ca'
         'munda 属性 deadline="none"）')),
    'lint.no_form': (
        'user task has no form (camunda:formKey): completing it accepts no data',
        '用户任务没有表单（camunda:formKey）：办理时不能提交数据'),
    'lint.timer_cycle_zero': (
        'timer cycle "{cycle}" repeats 0 times: it never fires',
        '定时周期“{cycle}”重复 0 次：永远不会触发'),
    'lint.timer_date_past': (
        ('timer date {date} is already past (deploy clock {now}): it fires at once, never on that '
         'date'),
        '定时日期 {date} 已经过去（部署时的时间 {now}）：它会立即触发，而不是在那一天'),
    'lint.unreachable': (
        'no path leads here from a start event: it never runs',
        '没有从开始事件到这里的路径：它永远不会执行'),
    'pdf.convert_failed': (
        'LibreOffice could not convert the document to PDF ({exc})',
        'LibreOffice 无法将文书转为 PDF（{exc}）'),
    'pdf.missing': (
        ('PDF needs LibreOffice, which is not installed here (Debian: apt-get install libreoffice-'
         'writer-nogui fonts-noto-cjk); download the .docx, or print the document from its print v'
         'iew in the browser (打印 → 另存为 PDF)'),
        ('生成 PDF 需要 LibreOffice，本机未安装（Debian：apt-get install libreoffice-writer-nogui'
         ' fonts-noto-cjk）；请下载 .docx，或在浏览器的打印预览中打印（打印 → 另存为 PDF）')),
    'pdf.none_written': (
        'LibreOffice wrote no PDF',
        'LibreOffice 没有生成 PDF'),
    'process.not_deployed': (
        'no process "{key}" is deployed',
        '流程“{key}”尚未部署'),
    'process.version_missing': (
        'process "{key}" has no version {version}',
        '流程“{key}”没有第 {version} 版'),
    'process.version_not_found': (
        'no process version {version_id}',
        '没有编号为 {version_id} 的流程版本'),
    'table.heading': (
        'the heading row must be: {columns}',
        '标题行应为：{columns}'),
    'table.no_rows': (
        'the file has no rows',
        '文件中没有数据行'),
    'table.none': (
        'the file holds no decision table',
        '文件中没有决策表'),
    'table.not_integer': (
        "'{cell}' is not an integer",
        '“{cell}”不是整数'),
    'table.not_number': (
        "'{cell}' is not a number",
        '“{cell}”不是数字'),
    'table.not_utf8': (
        'not UTF-8 text (save the spreadsheet as CSV UTF-8, or as .xlsx)',
        '不是 UTF-8 文本（请将表格另存为“CSV UTF-8”或 .xlsx）'),
    'table.not_xlsx': (
        'not an .xlsx workbook',
        '不是 .xlsx 工作簿'),
    'table.repeated_inputs': (
        'the same inputs as line {line}: only the first would ever be used',
        '与第 {line} 行的输入相同：只有第一行会被采用'),
    'table.unknown_unit': (
        '{cell}: no such unit in the unit directory (closest: {closest})',
        '{cell}：单位名录中没有此单位（最接近的：{closest}）'),
    'table.unknown_unit_far': (
        '{cell}: no such unit in the unit directory',
        '{cell}：单位名录中没有此单位'),
    'table.width': (
        '{cells} cell(s), the table has {columns}',
        '本行有 {cells} 格，表中有 {columns} 列'),
    'upload.bad_name': (
        'bad file name (at most {limit} characters)',
        '文件名有误（最多 {limit} 个字符）'),
    'upload.content_differs': (
        ('the content of "{name}" is {kind} ({format}), not {named} as its extension .{extension} '
         'says: check that the right file was chosen, or give it the name its content has, and '
         'upload it again'),
        ('文件“{name}”的内容是{kind}（{format}），与文件扩展名 .{extension} 所示的{named}不符：'
         '请确认选对了文件，或按实际内容改正文件名后重新上传')),
    'upload.content_not_as_named': (
        ('the content of "{name}" is not a valid {kind}, as its name says (the file may be '
         'damaged, or renamed from another type)'),
        '文件“{name}”的内容不是有效的{kind}，与文件名不符（文件可能已损坏，或由其他类型改名而来）'),
    'upload.duplicate_name': (
        'the same file name was sent twice',
        '同一文件名上传了两次'),
    'upload.files_refused': (
        'The uploaded files were refused',
        '上传的文件不符合要求'),
    'upload.kind.image': ('image', '图片'),
    'upload.kind.office': ('Office document', 'Office 文档'),
    'upload.kind.pdf': ('PDF', 'PDF'),
    'upload.kind.zip': ('zip archive', '压缩包'),
    'upload.no_name': (
        'the file has no name (it needs .bpmn, .dmn or .json)',
        '文件没有名称（应为 .bpmn、.dmn 或 .json）'),
    'upload.not_utf8': (
        'the file is not UTF-8 text ({reason})',
        '文件不是 UTF-8 文本（{reason}）'),
    'upload.type_not_allowed': (
        'the type of "{name}" may not be uploaded (accepted: {allowed})',
        '文件“{name}”的类型不允许上传（只接受：{allowed}）'),
    'upload.unknown_file_type': (
        'unknown file type (.bpmn, .dmn, .json)',
        '无法识别的文件类型（应为 .bpmn、.dmn 或 .json）'),
    'validation.failed': (
        '{count} validation error(s)',
        '{count} 处校验错误'),
}
