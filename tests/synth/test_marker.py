"""The synthetic marker: a fingerprint of the files synth wrote, which the build verifies before trusting it."""

import gzip
import json
import shutil
from pathlib import Path

from generator.inputs import resolve_inputs
from generator.synth.marker import MARKER
from tests.conftest import DEMO_DIR, run_cli


def test_a_synthetic_dataset_as_written_is_synthetic(synthetic_dataset):
    inputs = resolve_inputs(synthetic_dataset, None)
    assert (inputs.data_origin, inputs.origin_warning) == ("synthetic", None)
    marker = json.loads((synthetic_dataset / MARKER).read_text())
    listed = {f["path"]: f for f in marker["files"]}
    assert marker["source_origin"] == "synthetic" and marker["seed"] == 7 and marker["patients"] == 40
    assert listed["hosp/labevents.csv.gz"]["size"] == (synthetic_dataset / "hosp" / "labevents.csv.gz").stat().st_size


def demo_copy(root: Path, notes: Path) -> Path:
    """A folder with the demo's hosp/ and icu/ and a copy of `notes` as note/."""
    root.mkdir()
    for module in ("hosp", "icu"):
        (root / module).symlink_to(DEMO_DIR / module)
    shutil.copytree(notes, root / "note")
    return root


def test_empty_markers_dropped_into_real_data_leave_it_credentialed(demo_notes, tmp_path):
    mimic = demo_copy(tmp_path / "mimic", demo_notes)
    for folder in (mimic, mimic / "note"):
        (folder / MARKER).write_text("")

    inputs = resolve_inputs(mimic, None)

    assert inputs.data_origin == "credentialed"
    assert "mimicbench-synthetic.json is not a marker written by `mimicbench synth`" in inputs.origin_warning


def test_markers_copied_from_a_synthetic_dataset_onto_real_data_leave_it_credentialed(
    synthetic_dataset, demo_notes, tmp_path
):
    mimic = demo_copy(tmp_path / "mimic", demo_notes)
    for folder in ("", "note"):
        shutil.copyfile(synthetic_dataset / folder / MARKER, mimic / folder / MARKER)

    inputs = resolve_inputs(mimic, None)

    assert inputs.data_origin == "credentialed"
    assert "is not what `mimicbench synth` wrote there" in inputs.origin_warning


def test_a_changed_or_added_file_makes_a_synthetic_dataset_credentialed(synthetic_dataset, tmp_path):
    changed = shutil.copytree(synthetic_dataset, tmp_path / "changed")
    labs = changed / "hosp" / "labevents.csv.gz"
    labs.write_bytes(gzip.compress(gzip.decompress(labs.read_bytes()).replace(b",ROUTINE,", b",STAT,", 1)))
    added = shutil.copytree(synthetic_dataset, tmp_path / "added")
    shutil.copyfile(synthetic_dataset / "hosp" / "services.csv.gz", added / "hosp" / "omr.csv.gz")

    assert resolve_inputs(changed, None).data_origin == "credentialed"
    assert "(hosp/labevents.csv.gz has changed)" in resolve_inputs(changed, None).origin_warning
    assert "(hosp/omr.csv.gz is not among the files it wrote)" in resolve_inputs(added, None).origin_warning


def test_synth_notes_over_real_admissions_are_credentialed(demo_notes):
    marker = json.loads((demo_notes / MARKER).read_text())
    assert marker["generator"] == "mimicbench synth-notes" and marker["source_origin"] == "credentialed"
    inputs = resolve_inputs(DEMO_DIR, demo_notes)
    assert (inputs.data_origin, inputs.origin_warning) == ("credentialed", None)


def test_synth_notes_over_a_synthetic_dataset_are_synthetic(synthetic_dataset, tmp_path):
    run_cli("synth-notes", "--mimic-dir", synthetic_dataset, "--out", tmp_path / "note")
    assert resolve_inputs(synthetic_dataset, tmp_path / "note").data_origin == "synthetic"
