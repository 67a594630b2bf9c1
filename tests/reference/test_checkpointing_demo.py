"""The PyTorch checkpointing demo: checkpointed memory below plain, one recompute per block."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reference import checkpointing_demo as demo

SMALL = ["--width", "32", "--batch", "8", "--reps", "1"]


@pytest.mark.torch
def test_checkpointing_saves_memory_and_recomputes_each_block_once():
    pytest.importorskip("torch")
    (plain, ckpt), (plain16, ckpt16) = demo.compare([4, 16], width=32, batch=8, reps=1)
    assert (plain16.segments, ckpt16.segments) == (0, 4)
    assert ckpt16.packed < plain16.packed
    assert ckpt16.held < plain16.held
    assert ckpt16.peak < plain16.peak
    assert (plain16.forwards, ckpt16.forwards) == (16, 32), "one recompute per block"
    # O(L) versus O(sqrt L): quadrupling L quadruples plain, only doubles checkpointed memory.
    assert plain16.held / plain.held > 3
    assert ckpt16.peak / ckpt.peak == pytest.approx(2.0)


@pytest.mark.torch
def test_main_prints_the_table_and_writes_the_plot(tmp_path, capsys):
    pytest.importorskip("torch")
    out = tmp_path / "ckpt.svg"
    assert demo.main(["--depths", "4", "16", "--out", str(out), *SMALL]) == 0
    printed = capsys.readouterr().out
    assert "plain packed" in printed and "ckpt packed" in printed and "16/32" in printed
    assert demo.EXPECTED in printed and demo.SMALL_LAYERS in printed, "why small layers cost more"
    assert out.exists() and out.stat().st_size > 0


def test_the_readme_shows_the_table_of_the_default_sizes():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Gradient checkpointing demo", 1)[1].split("\n## ", 1)[0]
    assert f"width {demo.WIDTH}, batch {demo.BATCH}" in section


def test_handwritten_svg_is_well_formed():
    svg = demo._svg([4, 16, 64], {"plain": [0.3, 1.0, 4.0], "checkpointed": [0.2, 0.5, 1.0]})
    assert ET.fromstring(svg).tag.endswith("svg")


def test_without_torch_main_explains_and_exits_zero(monkeypatch, capsys):
    monkeypatch.setattr(demo, "HAVE_TORCH", False)
    assert demo.main([]) == 0
    assert "needs torch" in capsys.readouterr().out
