"""Bulk starts (免申即享, campaign launches): thousands of cases of one process from one file or
request, one case per row. ``rows`` reads and keys a file's rows; ``starts`` checks every row
first and starts the good ones in chunked transactions, resumable by each row's key;
``template`` runs a version's start once for the rows whose fields it reads have the same
values, and ``case`` writes each case from it (or by the ordinary start when none serves),
checked against the ordinary start at the first row of each template in every chunk.
"""

from engine.runtime.bulk.rows import BatchRow, RowProblem
from engine.runtime.bulk.starts import BatchReport, BulkStarts

__all__ = ["BatchReport", "BatchRow", "BulkStarts", "RowProblem"]
