"""What the API says beside one field, part or parameter of a request it refuses (the error's
``details``): key -> (English, Chinese)."""

INPUTS: dict[str, tuple[str, str]] = {
    'input.at_least': (
        'must be at least {limit}',
        '不能小于 {limit}'),
    'input.at_most': (
        'must be at most {limit}',
        '不能大于 {limit}'),
    'input.bad_file_name': (
        'bad file name',
        '文件名不合法'),
    'input.control_characters': (
        'must not contain control characters (other than tab and line breaks)',
        '不能包含控制字符（制表符和换行符除外）'),
    'input.got': (
        'got {kind}',
        '收到的是{kind}'),
    'input.key': (
        'a key {problem}',
        '键名{problem}'),
    'input.kind.array': (
        'a JSON array',
        '数组'),
    'input.kind.bool': (
        'true or false',
        '是/否（true 或 false）'),
    'input.kind.boolean': (
        'a boolean',
        '是/否值'),
    'input.kind.int': (
        'an integer',
        '整数'),
    'input.kind.null': (
        'null',
        '空值（null）'),
    'input.kind.number': (
        'a number',
        '数字'),
    'input.kind.object': (
        'a JSON object',
        '对象'),
    'input.kind.str': (
        'a string',
        '文本'),
    'input.no_files': (
        'no files in the request',
        '请求中没有文件'),
    'input.not_bool': (
        'must be true or false',
        '应为 true 或 false'),
    'input.not_integer': (
        'must be an integer',
        '应为整数'),
    'input.not_object': (
        'must be a JSON object',
        '应为 JSON 对象'),
    'input.not_positive_integer': (
        'must be a positive integer',
        '应为正整数'),
    'input.not_unicode': (
        'is not valid Unicode text',
        '不是有效的 Unicode 文本'),
    'input.not_with_done': (
        'not with done',
        '不能与 done 同用'),
    'input.nul_characters': (
        'must not contain NUL characters',
        '不能包含 NUL 字符'),
    'input.one_of': (
        'one of: {choices}',
        '应为以下之一：{choices}'),
    'input.only_files_part': (
        'only file parts named "files"',
        '只接受名为 "files" 的文件部分'),
    'input.only_me': (
        'only "me" is supported',
        '只支持 "me"'),
    'input.required': (
        'is required',
        '此项为必填项'),
    'input.rows': (
        '{count} rows',
        '{count} 行'),
    'input.search_words': (
        'give the words to search for',
        '请给出要搜索的词'),
    'input.sent_twice': (
        'sent twice',
        '重复发送'),
    'input.too_deep': (
        'nested more than {limit} levels',
        '嵌套超过 {limit} 层'),
    'input.too_long': (
        'must be at most {limit} characters',
        '最多 {limit} 个字符'),
    'input.unknown_field': (
        'unknown field (expected: {expected})',
        '未知字段（应为：{expected}）'),
    'input.unknown_parameter': (
        'unknown (expected: {expected})',
        '未知参数（应为：{expected}）'),
    'input.unknown_part': (
        'unknown part',
        '未知部分'),
    'input.unknown_part_expected': (
        'unknown part (expected: {expected}, and file parts)',
        '未知部分（应为：{expected}，以及文件部分）'),
    'input.wrong_type': (
        'must be {expected}, not {got}',
        '应为{expected}，而不是{got}'),
}
