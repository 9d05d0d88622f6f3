"""Every exception path: missing files, foreign / damaged / newer indexes, bad settings."""

from __future__ import annotations

import pathlib

import pytest

import mikiwame


def test_hierarchy() -> None:
    assert issubclass(mikiwame.IndexFormatError, mikiwame.MikiwameError)
    assert issubclass(mikiwame.InputError, mikiwame.MikiwameError)
    assert issubclass(mikiwame.InputError, ValueError)


def test_missing_index_is_file_not_found(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "missing.idx"
    with pytest.raises(FileNotFoundError) as e:
        mikiwame.Engine(missing)
    assert e.value.filename == str(missing)
    assert "check the path" in str(e.value)


def test_foreign_file_is_index_format_error(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "foreign.idx"
    p.write_bytes(b"PK\x03\x04 this is a zip, not an index" * 10)
    with pytest.raises(mikiwame.IndexFormatError, match="build_index|index build") as e:
        mikiwame.Engine(p)
    assert str(p) in str(e.value)


def test_truncated_index_is_index_format_error(index_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    data = index_path.read_bytes()
    p = tmp_path / "truncated.idx"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(mikiwame.IndexFormatError, match="rebuild|copy"):
        mikiwame.Engine(p)


def test_corrupted_index_is_index_format_error(index_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    data = bytearray(index_path.read_bytes())
    data[-10] ^= 0xFF
    p = tmp_path / "corrupted.idx"
    p.write_bytes(bytes(data))
    with pytest.raises(mikiwame.IndexFormatError, match="rebuild"):
        mikiwame.Engine(p)


def _find_version_offset(data: bytes) -> int:
    """The header's format version: the first little-endian u32 after the magic that
    equals the library's format version (1-digit, right after the magic bytes)."""
    for off in range(4, 64):
        if int.from_bytes(data[off : off + 4], "little") in (1, 2, 3):
            return off
    raise AssertionError("format version not found in the header")


def test_newer_index_says_upgrade(index_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    data = bytearray(index_path.read_bytes())
    off = _find_version_offset(bytes(data))
    data[off : off + 4] = (999).to_bytes(4, "little")
    p = tmp_path / "newer.idx"
    p.write_bytes(bytes(data))
    with pytest.raises(mikiwame.IndexFormatError, match="upgrade"):
        mikiwame.Engine(p)


def test_directory_as_index_is_os_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(OSError):
        mikiwame.Engine(tmp_path)


def test_shop_errors(index_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    with pytest.raises(FileNotFoundError):
        mikiwame.Engine(index_path, shop=tmp_path / "no-shop.json")
    with pytest.raises(mikiwame.InputError, match="shop"):
        mikiwame.Engine(index_path, shop={"alert_threshold": "many"})
    bad = tmp_path / "shop.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(mikiwame.InputError, match="shop"):
        mikiwame.Engine(index_path, shop=bad)
    with pytest.raises(mikiwame.InputError, match="dict of settings or the path"):
        mikiwame.Engine(index_path, shop=42)  # type: ignore[arg-type]


def test_address_too_long() -> None:
    with pytest.raises(mikiwame.InputError, match="shorten"):
        mikiwame.normalize_address("東" * 5000)
