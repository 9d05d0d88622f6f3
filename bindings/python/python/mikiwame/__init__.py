"""mikiwame: fraud screening for online shops, from Python.

Normalize Japanese addresses, build an index of past fraud, score orders one by one, in
batches or as whole DataFrames, and screen messages for brand impersonation. The work is
done in Rust; batch calls release the GIL and run on all cores.

>>> import mikiwame
>>> a = mikiwame.normalize_address("東京都世田谷区池尻１丁目２番３号")
>>> a["block_key"]
'東京都世田谷区池尻|c1|b2|g3'

Errors are :class:`MikiwameError` subclasses (:class:`IndexFormatError`,
:class:`InputError`, also a ``ValueError``); missing files raise ``FileNotFoundError``.
"""

from __future__ import annotations

import os
from typing import Any, Optional, Sequence, Union

from . import _mikiwame
from ._frame import ORDER_COLUMNS, columns_of, gc_paused, to_frame
from .exceptions import IndexFormatError, InputError, MikiwameError

__version__: str = _mikiwame.__version__

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

PathLike = Union[str, "os.PathLike[str]"]


def normalize_address(address: str, postal_code: Optional[str] = None) -> dict[str, Any]:
    """Normalizes one address.

    Returns ``input``, ``block_key`` and ``unit_key`` (equal for every notation of the
    same place), ``components`` (prefecture, city, town, chome, banchi, go, building,
    floor, room, forwarding_id) and ``anomalies``. A postal code fills in an omitted
    prefecture or city and is checked against the town.

    >>> a = mikiwame.normalize_address("池尻1-2-3 ハイツ池尻101", postal_code="154-0001")
    >>> a["components"]["city"], a["components"]["room"]
    ('世田谷区', '101')
    >>> a["unit_key"] == mikiwame.normalize_address("東京都世田谷区池尻一丁目2番3号 ハイツ池尻 101号室")["unit_key"]
    True

    Raises :class:`InputError` for input the library does not accept (too long).
    """
    return _mikiwame.normalize_address(address, postal_code)


def build_index(
    output: PathLike,
    fraud: Union[PathLike, Sequence[PathLike], None] = None,
    forwarders: Union[PathLike, Sequence[PathLike], None] = None,
    base: Optional[PathLike] = None,
    strict: bool = False,
) -> dict[str, Any]:
    """Builds an index file, as ``mikiwame index build``.

    ``fraud``: CSV or JSONL files of past fraud with any of ``address``, ``email``,
    ``phone``, ``card_fingerprint`` (and ``recorded_at``, ``source``, ``note``);
    ``forwarders``: files of forwarding services (``name``, ``address``, optional
    ``code_pattern``); ``base``: an index to add to. The file is written atomically.

    Returns the summary: ``output``, ``records``, ``record_entries``, ``forwarders``,
    ``keys`` (count per key kind), ``sources``, ``format_version``, ``built_at``,
    ``rejected`` and ``rejections`` (``file``, ``row``, ``field``, ``reason`` of every row
    left out). With ``strict=True`` a rejected row raises :class:`InputError` and nothing
    is written.

    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "fraud.csv").write_text("address,email\\n東京都世田谷区池尻2-31-12-203,x@example.jp\\n,\\n", encoding="utf-8")
    >>> s = mikiwame.build_index(d / "fraud.idx", fraud=d / "fraud.csv")
    >>> s["records"], s["rejected"]
    (1, 1)
    """
    return _mikiwame.build_index(output, fraud, forwarders, base, strict)


def screen(
    sender: Optional[str] = None,
    url: Optional[str] = None,
    phone: Optional[str] = None,
    text: Optional[str] = None,
    brand: str = "amazon",
    region: Optional[str] = None,
    authenticated: Optional[bool] = None,
) -> dict[str, Any]:
    """Screens a sender address, a URL, a phone number and/or a message text for
    impersonation of ``brand`` (a built-in profile), as ``mikiwame screen``.

    Each given field gets a ``verdict`` (``official``, ``lookalike``, ``unknown``, ...)
    with its reasons; ``region`` is the default region of a phone number, and
    ``authenticated`` says whether the sender passed SPF/DKIM/DMARC.

    >>> mikiwame.screen(url="http://amaz0n.co.jp/login")["url"]["verdict"]
    'lookalike'
    >>> mikiwame.screen(url="https://www.amazon.co.jp/")["url"]["verdict"]
    'official'

    Raises :class:`InputError` when nothing is given or the brand is unknown.
    """
    return _mikiwame.screen(sender, url, phone, text, brand, region, authenticated)


def train(
    labels: PathLike,
    output: PathLike,
    index: Optional[PathLike] = None,
    shop: Optional[PathLike] = None,
    model: Optional[PathLike] = None,
    l2: float = 1.0,
) -> dict[str, Any]:
    """Fits the reason-code weights to a shop's labelled orders; writes the model (TOML).

    ``labels`` is a JSONL or CSV file of orders (the fields of :meth:`Engine.score`, or the
    flattened CSV columns) with ``label`` (1/0) or ``fraud`` (true/false) and an optional
    ``weight``. The weights are pulled towards the current model's (``model``, else the
    documented priors) with strength ``l2``. Returns the training report: ``orders``,
    ``skipped`` and ``errors`` (unreadable rows), ``weights``, ``iterations``,
    ``log_loss``, ``unseen_codes``. Load the model with ``mikiwame score --model``.

    >>> import json, pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> rows = [{"order_id": f"o{i}", "label": i % 4 == 0,
    ...          "buyer": {"name": "徳川家康" if i % 4 == 0 else "山本花子"}} for i in range(40)]
    >>> _ = (d / "labels.jsonl").write_text("\\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    >>> report = mikiwame.train(d / "labels.jsonl", d / "model.toml")
    >>> report["orders"], (d / "model.toml").exists()
    (40, True)
    """
    return _mikiwame.train(labels, output, index, shop, model, l2)


def evaluate(
    labels: PathLike,
    index: Optional[PathLike] = None,
    shop: Optional[PathLike] = None,
    model: Optional[PathLike] = None,
) -> dict[str, Any]:
    """Measures how well the scores fit labelled orders (the report of ``mikiwame evaluate``).

    Returns ``orders``, ``fraud_rate``, ``roc_auc``, ``brier``, ``log_loss``, ``ece``
    (expected calibration error), ``at_threshold`` (precision and recall at scores 10 and
    50), ``reliability`` (predicted vs observed fraud rate per score band, with counts) and
    ``histogram``. Uses ``model`` when given, else the default priors.

    >>> import json, pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> rows = [{"order_id": f"o{i}", "fraud": i % 4 == 0,
    ...          "buyer": {"name": "徳川家康" if i % 4 == 0 else "山本花子"}} for i in range(40)]
    >>> _ = (d / "labels.jsonl").write_text("\\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    >>> r = mikiwame.evaluate(d / "labels.jsonl")
    >>> r["orders"], r["roc_auc"] > 0.9
    (40, True)
    """
    return _mikiwame.evaluate(labels, index, shop, model)


class Engine(_mikiwame.Engine):
    """An opened index, shop settings and the scoring model.

    ``Engine(index_path, shop=None)``: ``index_path`` is a file from :func:`build_index`
    (``None`` scores without past fraud records); ``shop`` is a dict of shop settings or the
    path of a JSON/TOML settings file. An engine is immutable: share one between threads.
    It pickles as its arguments (the index is opened again on unpickling).

    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "fraud.csv").write_text("address\\n東京都世田谷区池尻2-31-12-203\\n", encoding="utf-8")
    >>> _ = mikiwame.build_index(d / "fraud.idx", fraud=[d / "fraud.csv"])
    >>> engine = mikiwame.Engine(d / "fraud.idx", shop={"name": "みきわめ商店"})
    >>> a = engine.score({"order_id": "A-1", "buyer": {"name": "田中次郎",
    ...     "address": "東京都世田谷区池尻二丁目31番12号 203号室"}})
    >>> a["address_match"]["level"], a["alert"], a["reasons"][0]["code"]
    ('danger', True, 'fraud_address')
    >>> engine.check_address("東京都世田谷区池尻2-31-12")["address_match"]["level"]
    'caution'

    Raises ``FileNotFoundError`` for a missing index or shop file,
    :class:`IndexFormatError` for a file that is not a usable index and
    :class:`InputError` for unusable shop settings.
    """

    __slots__ = ()

    def score_frame(self, frame: Any) -> Any:
        """Scores every row of a pandas DataFrame or a pyarrow Table of flattened order
        columns (``mikiwame.ORDER_COLUMNS``: ``order_id``, ``buyer_name``,
        ``shipping_address``, ``item_category``, ...; names are matched case-insensitively,
        other columns are ignored, missing columns and null cells mean absent fields).

        Returns a pandas DataFrame aligned row by row with the input (same index for a
        DataFrame): ``order_id``, ``score`` (Int64), ``band``, ``alert`` (boolean),
        ``address_match``, ``stars``, ``forwarding``, ``reasons`` (codes, most points
        first), ``data_quality`` and ``error`` (None, or why the row could not be read, with
        its 1-based position; the row's other columns are then null). The orders are
        linked with each other (shared addresses, bursts) as in one ``mikiwame score`` run:
        within chunks of 65,536 rows.

        >>> import pandas as pd
        >>> engine = mikiwame.Engine(None)
        >>> df = pd.DataFrame({"order_id": ["A-1", "A-2"], "amount": ["39800", "abc"],
        ...                    "buyer_name": ["徳川家康", None], "item_category": ["gift_card", None]})
        >>> out = engine.score_frame(df)
        >>> out.loc[0, "reasons"][0], bool(out.loc[0, "alert"])
        ('celebrity_name', True)
        >>> out.loc[1, "error"]
        'row 2, field `amount`: ...'

        Raises :class:`InputError` when there is no ``order_id`` column or the argument is
        not a frame.
        """
        columns, rows, index = columns_of(frame)
        with gc_paused():
            return to_frame(self._score_columns(columns, rows), index)
