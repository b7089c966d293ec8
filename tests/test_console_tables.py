"""The main job's tables fit the terminal: on an 80-column one no name, header or number is cut off."""

import pytest
from rich.console import Console

from zjtx.commands import demo
from zjtx.policies.catalog import catalog

TIERS = ("sme_size", "tech_sme", "innovative_sme", "specialized_sme", "little_giant", "single_champion",
         "high_tech", "zs_four_tech", "zs_gazelle")
HEADERS = ("政策", "达标", "未达标", "待核验", "待人工审核", "持有有效称号", "达标未认定", "认定未达标")


@pytest.mark.parametrize("width", [80, 160])
def test_run_table_fits_the_terminal(monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    console = Console(width=width, record=True)
    monkeypatch.setattr(demo, "console", console)
    table = demo._table("全量评价", HEADERS)
    names = [catalog().name(p) for p in TIERS]
    for i, name in enumerate(names):
        table.add_row(name, str(30000 - i), "12345", "999", "0", "10675", "1", "21")
    console.print(table)
    lines = console.export_text().splitlines()
    assert "…" not in "".join(lines)
    assert max(len(line) for line in lines) <= width
    # every cell whole: a row's cells (and wrapped continuation lines) joined column by column
    columns: list[str] = [""] * len(HEADERS)
    for line in lines[1:]:
        cells = [c.strip() for c in line.replace("┃", "│").split("│")]
        if len(cells) == len(HEADERS):
            for k, cell in enumerate(cells):
                columns[k] += cell
    for name in names:
        assert name in columns[0]
    for header in HEADERS:
        assert header in "".join(columns)
    assert "30000" in columns[1].split() or "30000" in columns[1]
    assert "10675" in columns[5]
    if width >= 100:  # a wide terminal: one line per policy
        assert all(any(line.startswith(name) for line in lines) for name in names)
