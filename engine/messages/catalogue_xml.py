"""Messages about XML files: their safety, their form, and the schema they must follow:
key -> (English, Chinese)."""

XML: dict[str, tuple[str, str]] = {
    'xml.dtd': (
        'DTDs and entity declarations (<!DOCTYPE>, <!ENTITY>) are not allowed',
        '不允许 DTD 和实体声明（<!DOCTYPE>、<!ENTITY>）'),
    'xml.not_well_formed': (
        'not well-formed XML: {message}',
        'XML 格式不正确：{message}'),
    'xml.schema': (
        'schema: {message}',
        '不符合 XML 架构：{message}'),
    'xml.schema.attribute_missing': (
        'element {element} lacks the required attribute {attribute}',
        '元素 {element} 缺少必填的属性 {attribute}'),
    'xml.schema.attribute_not_allowed': (
        'element {element} may not have the attribute {attribute}',
        '元素 {element} 不能有属性 {attribute}'),
    'xml.schema.bad_id': (
        ('element {element} has the id "{value}", which is no valid id or is given twice (an '
         'id begins with a letter or "_" and is unique in the file)'),
        '元素 {element} 的 id“{value}”无效或重复（id 以字母或“_”开头，在文件中唯一）'),
    'xml.schema.bad_value': (
        'element {element}: "{value}" is no valid {type} for the attribute {attribute}',
        '元素 {element} 的属性 {attribute} 的值“{value}”不是有效的 {type}'),
    'xml.schema.missing_child': (
        'element {element} lacks a child element (expected: {expected})',
        '元素 {element} 缺少子元素（应为：{expected}）'),
    'xml.schema.not_in_set': (
        'element {element}: "{value}" is no allowed value of the attribute {attribute} '
        '(allowed: {allowed})',
        '元素 {element} 的属性 {attribute} 的值“{value}”不在允许的取值中（可选：{allowed}）'),
    'xml.schema.text_not_allowed': (
        'element {element} may hold only elements, no text',
        '元素 {element} 只能包含子元素，不能有文字'),
    'xml.schema.unexpected_element': (
        'element {element} is not expected here',
        '此处不应出现元素 {element}'),
    'xml.schema.unexpected_element_expected': (
        'element {element} is not expected here (expected: {expected})',
        '此处不应出现元素 {element}（此处可以是：{expected}）'),
    'xml.schema.wrong_root': (
        'the root element {element} is no BPMN or DMN definitions element',
        '根元素 {element} 不是 BPMN 或 DMN 的 definitions 元素'),
    'xml.too_deep': (
        'elements nested deeper than {limit} levels',
        '元素嵌套超过 {limit} 层'),
    'xml.too_large': (
        'file is larger than {megabytes} MB',
        '文件超过 {megabytes} MB'),
    'xml.too_many_elements': (
        'more than {limit} elements: too large to be a diagram',
        '元素超过 {limit} 个，不像是流程图'),
}
