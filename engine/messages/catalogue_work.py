"""Messages about the work on cases: tasks, messages, hand-overs, migration and scripts:
key -> (English, Chinese)."""

WORK: dict[str, tuple[str, str]] = {
    'batch.cell_count': (
        '{cells} cells, the header has {columns}',
        '本行有 {cells} 个单元格，表头有 {columns} 列'),
    'batch.file_type': (
        'a batch file ends in .csv or .jsonl',
        '批量文件应为 .csv 或 .jsonl'),
    'batch.key_empty': (
        'the key column "{column}" is empty',
        '键列“{column}”为空'),
    'batch.key_too_long': (
        'the key column "{column}" is longer than {limit}',
        '键列“{column}”超过 {limit} 个字符'),
    'batch.not_csv': (
        'not CSV: {error}',
        '不是 CSV：{error}'),
    'batch.not_json': (
        'not valid JSON: {error} (column {column})',
        '不是有效的 JSON：{error}（第 {column} 列）'),
    'batch.refused': (
        '{count} bad row(s): nothing was started',
        '{count} 行有误：没有发起任何案件'),
    'batch.row_key_repeated': (
        'the row key "{key}" is also the key of line {line}',
        '行键“{key}”与第 {line} 行的相同'),
    'batch.row_key_too_long': (
        'the row key is longer than {limit}',
        '行键超过 {limit} 个字符'),
    'batch.row_not_object': (
        'a row must be a JSON object',
        '每一行应为 JSON 对象'),
    'bundle.not_a_bundle': (
        'not a Kuaiban bundle',
        '不是快办的案件包'),
    'bundle.version_missing': (
        ('the case ran on process version id {version_id}, and the bundle does not carry that '
         "version's files"),
        '案件运行于流程版本 {version_id}，案件包中没有该版本的文件'),
    'case.business_key_taken': (
        '{key} already has a case {business_key}: a business key names one case',
        '{key} 已有案件 {business_key}：一个案件编号只能对应一个案件'),
    'case.key_field_taken': (
        'a case for {business_key} has already been started',
        '已有以 {business_key} 发起的案件，不能重复发起'),
    'case.business_key_too_long': (
        'business key too long',
        '案件编号过长'),
    'case.changed_first': (
        'someone else changed this case first; reload and try again',
        '他人已先修改了此案件，请刷新后重试'),
    'case.changed_meanwhile': (
        'someone else changed this case at the same moment; reload and try again',
        '他人同时修改了此案件，请刷新后重试'),
    'case.numbered_by_system': (
        ('{key} numbers its cases itself ({case_prefix}-YYYY-NNNNNN): a case number cannot be '
         'chosen; leave business_key out'),
        ('{key} 的案件由系统编号（{case_prefix}-年份-序号），不能指定案件编号；请不要填写 busines'
         's_key')),
    'case.numbering_busy': (
        'another case was registered at the same moment; try again',
        '另一个案件同时在登记，请重试'),
    'case.revision_changed': (
        'instance {instance_id} changed (revision {revision}, you had {yours})',
        '案件 {instance_id} 已被修改（当前版本 {revision}，您的版本 {yours}），请刷新后重试'),
    'case_files.case_closed': (
        'the case is closed; no more files or documents can be added',
        '案件已办结，不能再添加附件或文书'),
    'case_files.not_involved': (
        ('only the people handling this case and the supervising departments may add files or '
         'documents'),
        '只有办理本案件的人员和督办部门可以添加附件或文书'),
    'case_status.cancelled': (
        'terminated',
        '已终止'),
    'case_status.completed': (
        'completed',
        '已办结'),
    'case_status.error': (
        'stopped by an error',
        '出错'),
    'case.observers_only': (
        'auditors read cases; they do not comment on them or copy them',
        '审计人员只查阅案件，不发表意见，也不抄送'),
    'cc.target': (
        'choose the person or the unit to copy (one of them)',
        '请选择抄送的人或单位（二选一）'),
    'cc.unit_takes_no_part': (
        'no one in {to_unit} may take part in this case: it cannot be copied there',
        '{to_unit}没有可参与本案办理的人员，不能抄送给该单位'),
    'cc.takes_no_part': (
        '{name} works no step of “{process}”: a copy goes only to those who may take part in '
        'the procedure',
        '{name}不承担“{process}”的办理环节，不能抄送：抄送只发给可参与本流程办理的人员'),
    'cc.outside_county': (
        '{name} works outside {county}: this case belongs to {county}, and a copy goes only to '
        'those there who may take part in it',
        '{name}不在{county}：本案属{county}，只能抄送给{county}可参与办理的人员'),
    'cc.outside_city': (
        '{name} works in a county: this is a city-level case, and a copy goes only to those of '
        "the city's own units who may take part in it",
        '{name}属县（市、区）单位：本案为市本级案件，只能抄送给市本级可参与办理的人员'),
    'cc.copy_readers_only': (
        'this case was copied to you to read (you may comment on it); those who take part in '
        'it decide whom else it is copied to',
        '本案抄送给您阅知（可发表意见），不能再抄送；是否抄送他人由参与本案办理的人员决定'),
    'cc.by_applicant': (
        'an applicant follows its own case; copies are sent by the staff who handle it',
        '申请人查阅自己的申请，不抄送；抄送由办理本案的工作人员发起'),
    'cc.to_enterprise': (
        '{name} is an enterprise account: copies go to staff only',
        '{name}是企业账号：抄送只发给工作人员'),
    'cc.unknown_target': (
        'no user or unit {to_user}',
        '没有用户或单位 {to_user}'),
    'comment.empty': (
        'please write a comment',
        '请填写意见'),
    'comment.too_long': (
        'a comment may have at most {limit} characters',
        '意见最多 {limit} 个字'),
    'cosign.parallel_now': (
        'co-signers sign in parallel now; it cannot become sequential',
        '正在并行会签，不能改为依次加签'),
    'cosign.sequential_now': (
        'co-signers sign one after another now; it cannot become parallel',
        '正在依次会签，不能改为并行加签'),
    'database.busy': (
        'the database is busy; try again',
        '数据库繁忙，请重试'),
    'draft.field_type': (
        'this field cannot hold such a value, even in a draft',
        '此项不能暂存这样的值'),
    'draft.not_json': (
        'a draft holds JSON values only',
        '暂存的内容只能是 JSON 值'),
    'draft.refused': (
        'some fields hold values they cannot hold; the draft was not saved',
        '部分字段的值类型不符，未暂存'),
    'draft.too_large': (
        ('the draft would hold {megabytes} MB, more than the limit of {limit} MB; it was not '
         'saved'),
        '暂存内容达 {megabytes} MB，超过上限 {limit} MB，未暂存'),
    'handover.already_signer': (
        '{name} already co-signs',
        '{name} 已在会签人中'),
    'handover.delegate_self': (
        'you cannot delegate to yourself',
        '不能委派给自己'),
    'handover.outside_county': (
        '{name} works outside {county}: this task belongs to {county} and may be handed only '
        'to someone there',
        '{name}不在{county}：此任务属{county}，只能交给{county}的人员办理'),
    'handover.reason_missing': (
        'please give a reason',
        '请填写原因'),
    'handover.reason_too_long': (
        'the reason may have at most {limit} characters',
        '原因最多 {limit} 个字'),
    'handover.target_lacks_role': (
        "{name} does not have this task's role",
        '{name} 没有此任务的角色'),
    'handover.target_without_unit': (
        "{name} belongs to no unit and cannot take a unit's task",
        '{name} 不属于任何单位，不能接收单位的任务'),
    'handover.task_claimed': (
        'the task is being handled by {assignee_name}; it cannot be {what}',
        '任务已由 {assignee_name} 办理，不能{what}'),
    'handover.task_delegated': (
        'the task is delegated to or being co-signed by {assignee_name}; it cannot be {what}',
        '任务正在由 {assignee_name} 委派办理或加签，不能{what}'),
    'handover.transfer_self': (
        'you cannot transfer to yourself',
        '不能转给自己'),
    'handover.transfer_target': (
        'choose the person or the unit to transfer to (one of them)',
        '请选择转给的人或单位（二选一）'),
    'handover.unit_lacks_role': (
        "unit {unit} has no user with this task's role",
        '单位 {unit} 没有此任务角色的用户'),
    'handover.unit_outside_county': (
        '{unit} is outside {county}: this task belongs to {county} and may be transferred only '
        'to a unit there',
        '{unit}不在{county}：此任务属{county}，只能转办给{county}的单位'),
    'instance.not_found': (
        'no instance {instance_id}',
        '没有编号为 {instance_id} 的案件'),
    'message.ambiguous': (
        ('message "{name}" matches {count} waiting cases ({cases}); a message must reach exactly '
         'one case: name it by its business_key (and correlation values)'),
        ('消息“{name}”匹配到 {count} 个等待中的案件（{cases}）；一条消息只能送达一个案件：请用案'
         '件编号（及关联值）指明')),
    'message.bad_correlation': (
        'bad correlation',
        '消息的关联条件有误'),
    'message.case_awaits_thrown': (
        '{problem}; this decision cannot take effect, choose another',
        '{problem}：这一办理结果无法生效，请改选其他办理结果'),
    'message.bounced': (
        'messages bounced between instances too many times',
        '消息在案件之间往返的次数过多'),
    'message.engine_owned': (
        '{owned}: set by the engine, never from outside',
        '{owned}：由系统填写，不能由外部设置'),
    'message.no_form': (
        ('the event that catches this message declares no form (camunda property message_form), '
         'so the message carries no data'),
        '接收此消息的事件没有声明表单（camunda 属性 message_form），消息不能携带数据'),
    'message.no_waiting_instance': (
        'no instance is waiting for message "{name}" with {correlation}',
        '没有案件在等待关联条件为 {correlation} 的消息“{name}”'),
    'message.role_needed': (
        'message "{name}" may be sent by role(s): {needed}',
        '消息“{name}”只能由以下角色发送：{needed}'),
    'migrate.already_on': (
        'already on version {version}',
        '已在第 {version} 版上'),
    'migrate.case_not_running': (
        'the case is {status}',
        '案件状态为 {status}，不在办理中'),
    'migrate.does_not_run': (
        'the case does not run on version {version}: {reason}',
        '案件在第 {version} 版上无法继续办理：{reason}'),
    'migrate.designer_only': (
        'migrating cases needs the designer role',
        '迁移案件需要流程设计员角色'),
    'migrate.passed_task_missing': (
        "{task}, which the case has passed, is not in version {version} and is still part of "
        "the case's live task tree",
        '案件已经过的 {task} 在第 {version} 版中已删除，而它仍在案件的当前任务树中'),
    'migrate.running_subprocess_missing': (
        'running subprocess "{name}" is not in version {version}',
        '正在进行的子流程“{name}”在第 {version} 版中已删除'),
    'migrate.spiff_refused': (
        'SpiffWorkflow cannot move the case: {exc}',
        '无法迁移案件：{exc}'),
    'migrate.state.ready': (
        'READY',
        '待办'),
    'migrate.state.started': (
        'STARTED',
        '进行中'),
    'migrate.state.waiting': (
        'WAITING',
        '等待中'),
    'migrate.state_does_not_load': (
        'the migrated state does not load on version {version}: {exc!r}',
        '迁移后的状态无法在第 {version} 版上加载：{exc!r}'),
    'migrate.subprocess_missing': (
        'subprocess "{name}" is not in version {version}',
        '第 {version} 版中没有子流程“{name}”'),
    'migrate.task_changed_type': (
        '{state} task {task} changed type ({before} → {after})',
        '任务 {task}（{state}）的类型已改变（{before} → {after}）'),
    'migrate.task_missing': (
        '{state} task {task} is not in version {version}',
        '任务 {task}（{state}）在第 {version} 版中已删除'),
    'migrate.task_without_counterpart': (
        'task {task} ({state}) has no counterpart in version {version}',
        '任务 {task}（{state}）在第 {version} 版中没有对应的任务'),
    'migrate.wrong_process': (
        'instance {instance_id} is not a {key} case',
        '案件 {instance_id} 不是 {key} 的案件'),
    'replay.auditors_only': (
        'replay is for auditors',
        '只有审计人员可以重放案件'),
    'replay.staff_only': (
        'an applicant follows its application; looking back at earlier steps is for the staff',
        '申请人查看本申请的办理结果；回溯案件的办理经过仅限工作人员'),
    'replay.event_before_start': (
        'event {seq} comes before the instance was started',
        '事件 {seq} 早于案件的启动'),
    'replay.no_event': (
        'no event {seq}',
        '没有序号为 {seq} 的事件'),
    'replay.version_missing': (
        ('the case ran on process version id {version_id} too (it was migrated), and that version '
         'is not available here'),
        '案件（迁移前）还运行于流程版本 {version_id}，此处没有该版本'),
    'script.data_too_large': (
        '{what} is larger than {max_bytes:,} bytes of data; a script may not store that much',
        '{what} 超过 {max_bytes:,} 字节，脚本不能保存这么多数据'),
    'script.failed': (
        '{message}',
        '脚本或表达式执行出错：{message}'),
    'script.non_string_key': (
        '{what} has a dict key that is not a string',
        '{what} 含有不是字符串的字典键'),
    'script.refused': (
        '{what} refused: {shown}{more}',
        '{what} 被拒绝：{shown}{more}'),
    'script.time_limit': (
        ('the command ran longer than its limit of {seconds:g} seconds (scripts, expressions and '
         'deadline functions); it was stopped and nothing was saved'),
        '操作超过了 {seconds:g} 秒的时限（脚本、表达式和期限函数），已停止，未保存任何内容'),
    'script.too_deep': (
        '{what} is nested more than {max_depth} levels deep',
        '{what} 的嵌套超过 {max_depth} 层'),
    'script.too_large': (
        '{what} is too large to store',
        '{what} 太大，无法保存'),
    'script.unstorable_type': (
        '{what} holds a {type}, which cannot be stored in task data',
        '{what} 含有 {type} 类型的值，不能保存在任务数据中'),
    'script.unstorable_value': (
        '{what} holds {value}, which cannot be stored',
        '{what} 含有无法保存的值 {value}'),
    'send_back.no_previous': (
        'there is no earlier step to send back to',
        '没有可退回的上一环节'),
    'send_back.not_allowed': (
        'this step may not be sent back',
        '此环节不允许退回'),
    'send_back.not_allowed_to': (
        'cannot send back to {to_element}; possible: {names}',
        '不能退回到 {to_element}；可退回到：{names}'),
    'send_back.target_gone': (
        "the step to go back to is no longer on the case's path",
        '要退回的环节已不在案件的办理路径上'),
    'send_back.task_claimed': (
        'the task is being handled by {assignee_name}; it cannot be sent back',
        '任务已由 {assignee_name} 办理，不能退回'),
    'start.no_start_event': (
        '{key} has no start event "{start_event}"',
        '{key} 没有开始事件“{start_event}”'),
    'start.role_needed': (
        'starting {key} needs role {roles}',
        '发起 {key} 需要角色 {roles}'),
    'task.already_claimed': (
        'task is already claimed by {assignee_name}',
        '任务已由 {assignee_name} 认领'),
    'task.already_status': (
        'task is already {status}',
        '任务已{status}'),
    'task.bad_due_date': (
        '{bpmn_id}: due date {due_source!r} gave {value!r}',
        '{bpmn_id}：期限 {due_source!r} 的结果 {value!r} 不是时间'),
    'task.applicant_only': (
        'only whoever filed the application works on this task',
        '该任务只由提交申请的人办理'),
    'task.applicants_own': (
        "this task is the applicant's own: it cannot be put back for others to take",
        '该任务只由申请人本人办理，不能退回待认领'),
    'task.claimed_by': (
        'task is claimed by {assignee_name}',
        '任务已由 {assignee_name} 认领'),
    'task.expression_failed': (
        '{bpmn_id}: {what}: {message}',
        '{bpmn_id}：{what}：{message}'),
    'task.not_found': (
        'no task {task_id}',
        '没有编号为 {task_id} 的任务'),
    'task.not_ready': (
        'task is no longer ready',
        '任务已不可办理'),
    'task.not_yours': (
        'this task is not yours to see',
        '您无权查看此任务'),
    'task.role_needed': (
        'this task is for the role {role}',
        '此任务由{role}办理'),
    'task.signers_pending': (
        'co-signers have not signed yet: {signer_names}',
        '还有加签人未签署：{signer_names}'),
    'task.unit_name_too_long': (
        'unit name too long',
        '单位名称过长'),
    'task.unit_needed': (
        'task belongs to unit {unit}',
        '此任务属于单位 {unit}'),
    'task.unknown_unit': (
        '{bpmn_id}: no unit {unit!r} in the directory',
        '{bpmn_id}：单位名录中没有“{unit}”'),
    'task_status.cancelled': (
        'cancelled',
        '取消'),
    'task_status.completed': (
        'completed',
        '办结'),
    'terminate.case_status': (
        'the case is {status}; it cannot be terminated',
        '案件{status}，不能终止'),
    'supplement.applicants_only': (
        'only the applicant may resubmit its application',
        '只有申请人可以补正后重新提交申请'),
    'supplement.items_missing': (
        'please list the materials to supply',
        '请列明需补正的材料'),
    'supplement.items_too_long': (
        'the list of materials is too long (at most {limit} characters)',
        '需补正的材料清单过长（最多 {limit} 字）'),
    'supplement.not_asked': (
        'no supplements are asked of this application now',
        '该申请目前没有待补正的材料'),
    'supplement.not_offered': (
        'the step "{step}" cannot send the application back for supplements',
        '“{step}”环节不能退回补正'),
    'withdrawal.applicants_only': (
        'only the applicant may withdraw its application',
        '只有申请人可以撤回申请'),
    'withdrawal.decided': (
        'the application can no longer be withdrawn: it no longer awaits a decision',
        '申请已不在待审批阶段（已作出决定或已办结），不能撤回'),
    'terminate.supervisors_only': (
        ('only the case supervision office, the conduct supervision office, the reform group and '
         'the leaders may terminate a case'),
        '只有案件监督管理室、党风政风监督室、改革创新组和领导可以终止案件'),
    'timer.start_failed': (
        'start timer {source!r}: {exc}',
        '定时启动 {source!r}：{exc}'),
    'timer.start_key_invalid': (
        'start timer {element}: its business key must be text or a whole number, not {value!r}',
        '定时启动 {element}：案件编号须为文字或整数，不能是 {value!r}'),
    'urge.supervisors_only': (
        ('only the case supervision office, the conduct supervision office, the reform group and '
         'the leaders may urge'),
        '只有案件监督管理室、党风政风监督室、改革创新组和领导可以催办'),
    'verb.add_signer': (
        'given a co-signer',
        '加签'),
    'verb.delegate': (
        'delegated',
        '委派'),
    'verb.transfer': (
        'transferred',
        '转办'),
    'withdraw.case_status': (
        'the case is {status}; it cannot be withdrawn',
        '案件{status}，不能撤回'),
    'withdraw.document_since': (
        'a document has been issued in the case since this step; it cannot be withdrawn',
        '此环节办结后案件已出具文书，不能撤回'),
    'withdraw.files_since': (
        'someone else has added files to the case since this step; it cannot be withdrawn',
        '此环节办结后已有他人为案件上传材料，不能撤回'),
    'withdraw.message_since': (
        'the case has exchanged messages with another case since this step (an escalation, '
        'a linked case); it cannot be withdrawn',
        '此环节办结后案件已与其他案件往来（如提级核查、关联案件），不能撤回'),
    'withdraw.moved_on': (
        'this step can no longer be withdrawn (the case has moved on)',
        '此环节已无法撤回（流程已向后推进）'),
    'withdraw.next_claimed': (
        'the next step has been claimed; it cannot be withdrawn',
        '下一环节已被认领办理，不能撤回'),
    'withdraw.next_draft': (
        'someone has saved a draft of the next step; it cannot be withdrawn',
        '下一环节已有人暂存办理意见，不能撤回'),
    'withdraw.next_done': (
        'the next step has been handled; it cannot be withdrawn',
        '下一环节已经办理，不能撤回'),
    'withdraw.own_only': (
        'only the person who completed the task may withdraw it',
        '只有办理人本人可以撤回已办结的任务'),
    'withdraw.step_done_since': (
        'another step of the case has been handled since this one; it cannot be withdrawn',
        '此环节办结后案件已有其他环节办理，不能撤回'),
}
