"""Analysis of the books: income statement and balance sheet in the layout of the tax
return INK2, monthly trends, per cost centre and project, key figures, Excel export.

The calculations (`ink2`, `statements`, `figures`, `charts`, `formats`) are pure Python
without Django: they take the per-account, per-month sums that `selectors` fetch with one
aggregate query and return dataclasses of `Decimal`s. See docs/accounting.md, "Analysis and
key figures".
"""
