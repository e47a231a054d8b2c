from generator.cdm.case import LabTestTerm
from generator.cdm.lab_requests import LabMapper, split_request
from tests.cdm.cases import MAPPING


def test_request_splits_on_commas_and_and_and_drops_filler_words():
    assert split_request("Please order a CBC, BMP and lipase levels") == ["cbc", "bmp", "lipase"]
    assert split_request("complete blood count (CBC); LFTs + PT/INR") == [
        "complete blood count",
        "cbc",
        "lfts",
        "pt/inr",
    ]


def test_panels_expand_and_synonyms_win_over_labels_of_other_fluids():
    request = LabMapper(MAPPING).resolve("CBC and WBC")
    assert [(m.name, m.itemids) for m in request.matched] == [("cbc", [51222, 51301]), ("wbc", [51301])]
    assert request.categories == ["general", "inflammation"]


def test_plural_and_misspelled_names_match_and_unknown_names_are_reported():
    request = LabMapper(MAPPING).resolve("electrolyte, lipasee, ALT, unobtainium")
    assert [(m.name, m.term, m.how) for m in request.matched] == [
        ("electrolyte", "electrolytes", "fuzzy"),
        ("lipasee", "lipase", "fuzzy"),
        ("alt", "alt", "exact"),
    ]
    assert request.unmatched == ["unobtainium"]
    assert request.categories == ["liver", "pancreas", "seriousness"]


def test_filler_words_are_dropped_from_terms_too_and_with_splits_a_request():
    mapping = [
        *MAPPING,
        LabTestTerm(term="liver function tests", term_kind="panel", itemid=50861, label="ALT", category="liver"),
        LabTestTerm(term="differential", term_kind="panel", itemid=51256, label="Neutrophils", category="inflammation"),
    ]
    request = LabMapper(mapping).resolve("Liver function tests and a CBC with differential")
    assert [(m.name, m.itemids) for m in request.matched] == [
        ("liver function", [50861]),
        ("cbc", [51222, 51301]),
        ("differential", [51256]),
    ]
    assert request.unmatched == []
