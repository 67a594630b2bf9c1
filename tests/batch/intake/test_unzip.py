"""Unpacking zips nobody vouches for: traversal, links and bombs are refused, names decoded."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

import pytest

from grader.batch.intake.unzip import Limits, Refused, unzip
from tests.batch.intake.exports import bomb, source, with_symlink, zipped

SMALL = Limits(total_bytes=1 << 20, file_bytes=256 << 10, files=20)


def test_files_are_unpacked_and_macos_droppings_skipped(tmp_path: Path) -> None:
    archive = zipped(
        tmp_path / "a.zip",
        {"work/exercise11.py": source("correct"), "__MACOSX/work/._exercise11.py": "x", "work/.DS_Store": ""},
    )
    assert unzip(archive, tmp_path / "out", SMALL) == [PurePosixPath("work/exercise11.py")]
    assert (tmp_path / "out" / "work" / "exercise11.py").read_text() == source("correct")
    assert not (tmp_path / "out" / "__MACOSX").exists()


@pytest.mark.parametrize("utf8", [True, False])
def test_names_are_decoded_as_utf8_when_flagged_else_cp437(tmp_path: Path, utf8: bool) -> None:
    archive = zipped(tmp_path / "a.zip", {"Zoë Ünal/exercise11.py": "x"}, utf8=utf8)
    assert unzip(archive, tmp_path / "out", SMALL) == [PurePosixPath("Zoë Ünal/exercise11.py")]


@pytest.mark.parametrize(
    "name", ["../evil.py", "work/../../evil.py", "/etc/evil.py", "C:\\evil.py", "a\\..\\..\\x.py"]
)
def test_an_entry_leaving_the_folder_refuses_the_zip(tmp_path: Path, name: str) -> None:
    archive = zipped(tmp_path / "a.zip", {"exercise11.py": "x", name: "pwned"})
    with pytest.raises(Refused, match=r"a\.zip: the entry .* points outside the folder"):
        unzip(archive, tmp_path / "out", SMALL)
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "evil.py").exists()


def test_a_symbolic_link_entry_refuses_the_zip(tmp_path: Path) -> None:
    archive = with_symlink(tmp_path / "a.zip", "secret.py", "/etc/passwd")
    with pytest.raises(Refused, match=r"a\.zip: the entry secret\.py is a symbolic link"):
        unzip(archive, tmp_path / "out", SMALL)
    assert not (tmp_path / "out").exists()


def test_a_zip_bomb_is_refused_by_its_bytes_not_its_headers(tmp_path: Path) -> None:
    archive = bomb(tmp_path / "bomb.zip", 2 * SMALL.file_bytes)
    assert archive.stat().st_size < 10_000
    with pytest.raises(
        Refused, match=r"bomb\.zip: exercise11\.py is more than 256\.0 KiB unpacked \(a zip bomb\?\)"
    ):
        unzip(archive, tmp_path / "out", SMALL)
    assert not (tmp_path / "out").exists()


def test_the_total_size_counts_every_file(tmp_path: Path) -> None:
    members = {f"f{i}.py": b"\0" * (200 << 10) for i in range(6)}  # each under the file limit
    with pytest.raises(Refused, match=r"more than 1\.0 MiB unpacked"):
        unzip(zipped(tmp_path / "a.zip", members), tmp_path / "out", SMALL)


def test_too_many_files_refuse_the_zip(tmp_path: Path) -> None:
    members = {f"f{i}.py": "x" for i in range(SMALL.files + 1)}
    with pytest.raises(Refused, match=r"21 files, more than the 20 allowed"):
        unzip(zipped(tmp_path / "a.zip", members), tmp_path / "out", SMALL)


def test_a_lying_header_cannot_write_more_than_it_declares(tmp_path: Path) -> None:
    """zipfile stops at the declared size and checks the CRC: a header that understates is refused."""
    archive = bomb(tmp_path / "liar.zip", 4096)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as opened:
        info = opened.infolist()[0]
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (16).to_bytes(4, "little")  # uncompressed size: 16 bytes
    archive.write_bytes(bytes(data))
    assert info.file_size == 4096
    with pytest.raises(Refused, match="not a zip that can be read"):
        unzip(archive, tmp_path / "out", SMALL)


def test_something_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.zip").write_text("not a zip")
    with pytest.raises(Refused, match=r"a\.zip: not a zip that can be read"):
        unzip(tmp_path / "a.zip", tmp_path / "out", SMALL)
