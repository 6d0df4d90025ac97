"""Messages about the audit trail: what breaks a case's hash chain or the files it pins:
key -> (English, Chinese)."""

AUDIT: dict[str, tuple[str, str]] = {
    'blob.changed': (
        'was changed: its content no longer matches its sha256',
        '已被改动：内容与其 sha256 不再相符'),
    'blob.missing': (
        'is missing from the file store',
        '在文件存储中已缺失'),
    'blob.size_differs': (
        'has {total} bytes, the event recorded {size}',
        '有 {total} 字节，而事件记录的是 {size} 字节'),
    'chain.at_event': (
        'instance {instance}: event {seq}: {problem}',
        '案件 {instance}：第 {seq} 个事件：{problem}'),
    'chain.at_instance': (
        'instance {instance}: instance: {problem}',
        '案件 {instance}：{problem}'),
    'chain.content_hash': (
        ('{version}: its files ({files}) no longer give the content hash this event '
         'recorded'),
        '{version}：其文件（{files}）已算不出该事件记录的内容哈希'),
    'chain.file_changed': (
        'file "{name}" (sha256 {digest}…) {problem}',
        '文件“{name}”（sha256 {digest}…）{problem}'),
    'chain.hash_mismatch': (
        'content does not match its hash',
        '内容与其哈希不符'),
    'chain.orphan_events': (
        'events without an instance',
        '有事件而无对应的案件'),
    'chain.out_of_sequence': (
        'out of sequence (expected {expected})',
        '序号不连续（应为 {expected}）'),
    'chain.state_differs': (
        "stored state does not match the last event's digest",
        '保存的案件状态与最后一个事件的摘要不符'),
    'chain.truncated': (
        'chain ends after {events} events, instance expects {expected}: events were removed '
        'or added',
        '哈希链在第 {events} 个事件后结束，而案件应有 {expected} 个事件：有事件被删除或添加'),
    'chain.unlinked': (
        'does not link to the previous event',
        '未与前一个事件相链接'),
    'chain.version_file_edited': (
        '{version}: file {name} was edited: its text no longer matches its sha256',
        '{version}：文件 {name} 已被改动，内容与其 sha256 不再相符'),
    'chain.version_file_missing': (
        '{version}: file {name} is missing from the stored files',
        '{version}：已保存的文件中缺少文件 {name}'),
    'chain.version_gone': (
        'process version id {version_id} is gone',
        '流程版本（id {version_id}）已不存在'),
    'chain.version_label': (
        'version {version} of {key} (id {id})',
        '{key} 第 {version} 版（id {id}）'),
}
