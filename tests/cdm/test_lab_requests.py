import pytest

from generator.cdm.lab_requests import LabMapper, split_request
from tests.cdm.cases import CBC, MAPPING


def test_requests_are_cut_into_names_as_cdmv1_cuts_them():
    assert split_request("Please order a CBC, BMP and lipase levels") == ["Please  CBC", "BMP", "lipase"]
    assert split_request("Complete Blood Count (CBC), LFTs and PT/INR\nurine culture") == [
        "Complete Blood Count (CBC)",
        "LFTs",
        "PT/INR",
        "urine culture",
    ]
    assert split_request("Hepatitis A Ab, vitamin d and the TSH") == ["Hepatitis Ab", "vitamin", "TSH"]


@pytest.mark.parametrize(
    ("request_text", "how", "term", "itemids"),
    [
        ("CBC", "full", "CBC", sorted(CBC)),  # the abbreviation row of the panel, with its differential
        ("complete blood count (CBC)", "full", "Complete Blood Count (CBC)", sorted(CBC)),
        ("Alanin aminotransferase", "full", "Alanine Aminotransferase", [50861]),  # ratio 98
        ("Liver enzyme ALT (ALT)", "short", "ALT", [50861]),
        ("WBC Count", "full", "WBC Count", [51300, 51301]),  # WBC Count = White Blood Cells
        ("Bilirubin direct", "full", "Bilirubin, Direct", [50883, 50885]),  # the total comes along
        ("Total Bilirubin", "full", "Total Bilirubin", [50885]),  # CDMv1's "Total X" row: the test alone
        ("TSH", "full", "TSH", [50993]),  # in the dictionary though no case has it
        ("Serum Electrolytes", "full", "Serum Electrolytes", [50824, 50983]),  # whole blood and serum
        ("Blood culture", "full", "Blood Culture", [90201]),
        ("Urine glucose", "fluid", "Glucose", [51084]),  # the fluid's tests only
        ("tbili", "synonym", "tbili", [50883, 50885]),  # ours, after CDMv1's steps found nothing
        ("Please CBC", "cleaned", "CBC", sorted(CBC)),
    ],
)
def test_names_resolve_through_cdmv1_steps_then_ours(request_text, how, term, itemids):
    [match] = LabMapper(MAPPING).resolve(request_text).matched
    assert (match.how, match.term, sorted(match.itemids)) == (how, term, itemids)


def test_categories_come_from_the_tests_and_unknown_names_are_reported():
    request = LabMapper(MAPPING).resolve("CBC, lipase, TSH and unobtainium")
    assert [m.categories for m in request.matched] == [["general", "inflammation"], ["pancreas"], []]
    assert request.categories == ["general", "inflammation", "pancreas"]
    assert request.unmatched == ["unobtainium"]


def test_a_fluid_named_in_the_request_keeps_only_that_fluids_tests():
    request = LabMapper(MAPPING).resolve("Blood glucose, urine glucose")
    assert [(m.how, m.term, m.itemids) for m in request.matched] == [
        ("fluid", "Glucose", [50931]),
        ("fluid", "Glucose", [51084]),
    ]


def test_a_comma_inside_a_label_splits_the_request_as_in_cdmv1():
    request = LabMapper(MAPPING).resolve("Bilirubin, Total")
    assert request.matched == [] and request.unmatched == ["Bilirubin", "Total"]
