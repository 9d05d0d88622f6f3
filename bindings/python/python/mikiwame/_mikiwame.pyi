"""The compiled extension module; use the ``mikiwame`` package instead."""

import os
from typing import Any, Sequence

from typing_extensions import disjoint_base

__all__ = ["normalize_address", "build_index", "screen",
    "train",
    "evaluate", "Engine", "ORDER_COLUMNS", "__version__"]

ORDER_COLUMNS: list[str]
__version__: str

def normalize_address(address: str, postal_code: str | None = None) -> dict[str, Any]: ...
def build_index(
    output: str | os.PathLike[str],
    fraud: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    forwarders: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    base: str | os.PathLike[str] | None = None,
    strict: bool = False,
) -> dict[str, Any]: ...
def train(
    labels: str | os.PathLike[str],
    output: str | os.PathLike[str],
    index: str | os.PathLike[str] | None = None,
    shop: str | os.PathLike[str] | None = None,
    model: str | os.PathLike[str] | None = None,
    l2: float = 1.0,
) -> dict[str, Any]: ...
def evaluate(
    labels: str | os.PathLike[str],
    index: str | os.PathLike[str] | None = None,
    shop: str | os.PathLike[str] | None = None,
    model: str | os.PathLike[str] | None = None,
) -> dict[str, Any]: ...
def screen(
    sender: str | None = None,
    url: str | None = None,
    phone: str | None = None,
    text: str | None = None,
    brand: str = "amazon",
    region: str | None = None,
    authenticated: bool | None = None,
) -> dict[str, Any]: ...

@disjoint_base
class Engine:
    def __new__(
        cls,
        index_path: str | os.PathLike[str] | None = None,
        shop: dict[str, Any] | str | os.PathLike[str] | None = None,
    ) -> Engine: ...
    @property
    def index_path(self) -> str | None: ...
    def score(self, order: dict[str, Any]) -> dict[str, Any]: ...
    def score_batch(self, orders: Sequence[dict[str, Any]]) -> list[dict[str, Any]]: ...
    def _score_columns(self, columns: dict[str, Any], rows: int) -> dict[str, list[Any]]: ...
    def check_address(self, address: str, postal_code: str | None = None) -> dict[str, Any]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
