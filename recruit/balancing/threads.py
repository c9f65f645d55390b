"""Run the engine with one BLAS thread.

The search multiplies small matrices (a batch of units by all units, 14 columns deep) thousands of times.
OpenBLAS splits each product over threads that spin while they wait; on a shared two-core machine that made a
96 × 14 × 2,000 product 50 times slower (14 ms instead of 0.27 ms). threadpoolctl limits the threads for the
duration of a call only, leaving the rest of the process (Django, other libraries) as it was.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from threadpoolctl import threadpool_limits

F = TypeVar("F", bound=Callable)


def one_blas_thread(function: F) -> F:
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
