"""`mimicbench view`: a static, self-contained HTML report of an output root (never served, opens from disk).

`load` reads the files `generate-patient` / `generate-cohort` write, `pages/` (one module per page kind) turns them
into HTML with the shared parts of `html` and `charts`, `report` writes the folder, `assets/` holds its one
stylesheet and one script.
"""


class ViewError(Exception):
    """The output root or a results file cannot be read into a report; the message says what to do."""
