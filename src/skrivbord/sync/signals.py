"""What the sync engine tells the domain apps (which it never imports).

`batch_applied` is sent on the online node after a batch pushed by the office agent was
applied and committed: `company`, `entities` (the labels of the models it changed) and
`last` (whether the agent said this batch ends its transfer; true when it did not say).
Receivers run outside the batch's transaction; an error in one is logged, never fatal to
the sync.
"""

from __future__ import annotations

from django.dispatch import Signal

batch_applied = Signal()
