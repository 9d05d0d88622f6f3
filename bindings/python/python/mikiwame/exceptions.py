"""The exceptions raised by mikiwame.

Every error of the library is a :class:`MikiwameError`, except missing or unreadable files,
which raise the built-in :class:`FileNotFoundError` / :class:`OSError` as any Python I/O
does.

>>> import mikiwame
>>> try:
...     mikiwame.normalize_address("x" * 5000)
... except mikiwame.InputError as e:
...     print(isinstance(e, ValueError), "shorten" in str(e))
True True
"""

__all__ = ["MikiwameError", "IndexFormatError", "InputError"]


class MikiwameError(Exception):
    """The base class of mikiwame's own errors. The message says what to do."""


class IndexFormatError(MikiwameError):
    """The index file is not a mikiwame index, or is truncated, corrupted, or written by a
    newer version. Rebuild it with ``mikiwame.build_index`` (or ``mikiwame index build``),
    or upgrade mikiwame."""


class InputError(MikiwameError, ValueError):
    """An argument cannot be used: a field of an order, shop settings, an address, a brand.
    Also a :class:`ValueError`, so ``except ValueError`` catches it."""
