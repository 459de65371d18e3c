"""Every generated module says which notebook writes it."""

from pathlib import Path

from course_tools.notebooks import stages


def test_every_module_cell_names_its_notebook() -> None:
    root = Path(__file__).resolve().parents[2]
    for item in stages(root):
        for cell in item.module_cells:
            first_line = cell.source.partition("\n")[0]
            expected = f"# Written by notebooks/{item.path.name}: edit the notebook, not this file."
            if cell.path.endswith(".mako"):
                # A template's "#" lines are copied into every file made from it; "##" are not.
                expected = "#" + expected
            assert first_line == expected, f"{cell.path} in {item.path.name} starts {first_line!r}"
