"""Files of cases: evidence and application materials attached in form fields or to the case
itself, and the official documents (交办函, 督办函, 告知书 ...) the engine fills from case data.

It owns the content-addressed blob store (``blobs``: one copy per SHA-256, read back in
chunks), what a file may be (``sniff``: the allow-list checked on the content; ``names``:
sanitized file names), file fields of forms (``fields``), taking uploads into a command
within the limits (``attachments``), and documents: the template registry, 文号 numbering
per year and kind, Chinese dates, filling DOCX templates, the print view's reading of a DOCX
and PDF conversion (``documents``, ``numbering``, ``chinese``, ``docx_text``, ``pdf``).
Every file a case gets is named (sha256, name, size, type) in the event that brought it, so
the audit chain covers files without holding their content.
"""
