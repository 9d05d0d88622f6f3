import os
from typing import Any, Sequence

from . import _mikiwame
from .exceptions import IndexFormatError as IndexFormatError
from .exceptions import InputError as InputError
from .exceptions import MikiwameError as MikiwameError

__version__: str
__all__ = [
    "Engine",
    "IndexFormatError",
    "InputError",
    "MikiwameError",
    "ORDER_COLUMNS",
    "build_index",
    "normalize_address",
    "screen",
    "train",
    "evaluate",
]
ORDER_COLUMNS: tuple[str, ...]
PathLike = str | os.PathLike[str]

def normalize_address(address: str, postal_code: str | None = None) -> dict[str, Any]: ...
def build_index(
    output: PathLike,
    fraud: PathLike | Sequence[PathLike] | None = None,
    forwarders: PathLike | Sequence[PathLike] | None = None,
    base: PathLike | None = None,
    strict: bool = False,
) -> dict[str, Any]: ...
def train(
    labels: PathLike,
    output: PathLike,
    index: PathLike | None = None,
    shop: PathLike | None = None,
    model: PathLike | None = None,
    l2: float = 1.0,
) -> dict[str, Any]: ...
def evaluate(
    labels: PathLike,
    index: PathLike | None = None,
    shop: PathLike | None = None,
    model: PathLike | None = None,
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

class Engine(_mikiwame.Engine):
    def score_frame(self, frame: Any) -> Any: ...
