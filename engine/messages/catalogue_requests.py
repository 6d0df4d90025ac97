"""Messages about requests the API refuses before the engine sees them (malformed bodies,
tokens, unknown endpoints): key -> (English, Chinese)."""

REQUESTS: dict[str, tuple[str, str]] = {
    'request.bad_characters': (
        'the request contains characters that are not allowed',
        '请求中含有不允许的字符'),
    'request.bad_file_name': (
        'a file name contains characters that are not allowed',
        '文件名中含有不允许的字符'),
    'request.bad_filter': (
        'bad filter {name}',
        '筛选条件 {name} 有误'),
    'request.bad_values': (
        '{what} contains values that are not allowed',
        '{what}中含有不允许的值'),
    'request.body_errors': (
        'the request body has errors',
        '请求体有误'),
    'request.done_alone': (
        'done takes no other filter',
        'done 不能与其他筛选条件同用'),
    'request.http_error': (
        '{name} ({status})',
        '请求未成功：{name}（{status}）'),
    'request.internal_error': (
        'an unexpected error happened; it was logged for the operators',
        '发生了意外错误，已记录，运维人员会处理'),
    'request.invalid_token': (
        'the token is not valid',
        '令牌无效'),
    'request.method_not_allowed': (
        'method not allowed for this endpoint',
        '此接口不支持该请求方法'),
    'request.missing_token': (
        'send Authorization: Bearer TOKEN; get a token at POST /api/v1/auth/token',
        '请发送 Authorization: Bearer TOKEN；令牌可通过 POST /api/v1/auth/token 获取'),
    'request.multipart_errors': (
        'the multipart body has errors',
        'multipart 请求体有误'),
    'request.no_endpoint': (
        'no such API endpoint',
        '没有此接口'),
    'request.no_files': (
        'no files: send one part named "files" per file',
        '没有文件：每个文件应放在一个名为“files”的部分中'),
    'request.not_an_object': (
        '{what} must be a JSON object',
        '{what}应为 JSON 对象'),
    'request.not_found': (
        'not found',
        '未找到'),
    'request.not_json': (
        '{what} is not valid JSON',
        '{what}不是有效的 JSON'),
    'request.not_utf8': (
        '{what} is not UTF-8',
        '{what}不是 UTF-8 编码'),
    'request.nothing_to_search': (
        'nothing to search for',
        '没有要搜索的内容'),
    'request.parts_named': (
        'send the files as parts named "{name}"',
        '文件应放在名为“{name}”的部分中'),
    'request.query_too_long': (
        'query too long',
        '搜索内容过长'),
    'request.row_count': (
        'send 1 to {limit} rows',
        '应发送 1 到 {limit} 行'),
    'request.rows_are_objects': (
        "every row is a JSON object (the start form's data)",
        '每一行应为 JSON 对象（发起表单的数据）'),
    'request.send_definition_files': (
        'send the files as multipart/form-data, one part per file (field name "files")',
        '文件应以 multipart/form-data 发送，每个文件一个部分（字段名“files”）'),
    'request.send_json': (
        'send the request body as JSON with "Content-Type: application/json"',
        '请求体应为 JSON，并带 "Content-Type: application/json"'),
    'request.send_multipart': (
        'send the files as multipart/form-data, one part named "files" each',
        '文件应以 multipart/form-data 发送，每个文件一个名为“files”的部分'),
    'request.the_body': (
        'the request body',
        '请求体'),
    'request.the_part': (
        'the "{name}" part',
        '“{name}”部分'),
    'request.token_expired': (
        'the token has expired; get a new one at POST /api/v1/auth/token',
        '令牌已过期，请通过 POST /api/v1/auth/token 重新获取'),
    'request.token_revoked': (
        ("the token was signed out, or its user's password changed or the user is gone; get a new "
         'one at POST /api/v1/auth/token'),
        '令牌已退出登录，或其用户已修改密码或已不存在；请通过 POST /api/v1/auth/token 重新获取'),
    'request.too_deep': (
        '{what} is nested more than {limit} levels',
        '{what}嵌套超过 {limit} 层'),
    'request.too_large': (
        'the request is too large',
        '请求过大'),
    'request.unknown_mode': (
        'unknown mode',
        '未知的兑现方式'),
    'request.unknown_parameters': (
        'unknown query parameter(s)',
        '未知的查询参数'),
    'request.unknown_parts': (
        'unknown part(s)',
        '未知的部分'),
    'request.unsupported_media_type': (
        'unsupported media type',
        '不支持的内容类型'),
    'request.wrong_credentials': (
        'wrong user name or password',
        '用户名或密码不正确'),
}
