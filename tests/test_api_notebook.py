"""The example notebook (examples/api.ipynb) runs from top to bottom against the shipped inputs.

Its code cells are executed in order in one namespace, from the repository's root, with the results in a
temporary folder (ENERGY_ROUTES_EXAMPLE_OUT); a failing cell fails the test with the cell's number.
Then a few of its results are checked against what the CLI would give.
"""

from __future__ import annotations

import json

import pytest

from conftest import REPO


@pytest.mark.slow
def test_the_example_notebook_runs(tmp_path, monkeypatch, shipped_inputs):
    nb = json.loads((REPO / "examples" / "api.ipynb").read_text(encoding="utf-8"))
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("ENERGY_ROUTES_EXAMPLE_OUT", str(tmp_path / "example"))
    ns: dict = {"__name__": "__main__"}
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(code_cells) >= 8
    for k, cell in enumerate(code_cells, start=1):
        src = "".join(cell["source"])
        try:
            exec(compile(src, f"examples/api.ipynb cell {k}", "exec"), ns)
        except Exception as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"cell {k} of examples/api.ipynb failed: {type(exc).__name__}: {exc}\n{src}")
    # what the cells made: a shut-in from the dict scenario, a report, a comparison, a grid and a query
    assert ns["shut"] > 0
    assert (tmp_path / "example" / "terminal-shut" / "report.html").exists()
    vol = ns["changed"]["volume"]
    assert (vol.diff_volume_mt.abs() > 1e-6).all() and "cpc" in set(vol.route)
    assert len(ns["worst"]) == 4 and ns["worst"].shut_in_mt.iloc[0] >= ns["worst"].shut_in_mt.iloc[-1]
