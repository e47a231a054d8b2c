"""The warehouse's question items: every family, gold answers equal to the packet rows they cite."""

import duckdb

from generator.qa.items import read_marts

FAMILIES = {
    "value_at_time",
    "first_abnormal",
    "trend",
    "medication_change",
    "organism_count",
    "first_growth",
    "event_order",
    "carried_over",
    "absent_from_record",
}


def test_every_family_has_items_whose_gold_is_the_value_of_the_cited_row(synthetic_warehouse):
    items, admissions, synonyms = read_marts(synthetic_warehouse)
    assert {i.family for i in items} == FAMILIES
    assert synonyms["e. coli"] == "escherichia coli"
    con = duckdb.connect(str(synthetic_warehouse), read_only=True)
    labs = dict(con.execute("select eid, valuenum from marts.mart_packet_labs").fetchall())
    drugs = dict(con.execute("select eid, drug from marts.mart_packet_prescriptions").fetchall())
    organisms = dict(con.execute("select eid, org_name from marts.mart_packet_microbiology").fetchall())
    index = {(a.subject_id, a.admission_index): a.hadm_id for a in admissions}
    hadm_of = dict(con.execute("select eid, hadm_id from marts.mart_packet_labs").fetchall())
    for item in items:
        for eid, value in zip(item.evidence_eids, item.evidence_values, strict=True):
            assert value == str({**labs, **drugs, **organisms}[eid])
        if item.family in ("value_at_time", "first_abnormal"):
            assert item.gold_number == labs[item.evidence_eids[0]]
            assert hadm_of[item.evidence_eids[0]] == index[(item.subject_id, item.evidence_admission_indexes[0])]
        if item.family == "trend":
            before, after = (labs[eid] for eid in item.evidence_eids)
            assert item.gold_text == ("higher" if after > before else "lower" if after < before else "same")
        if item.family == "first_growth":
            assert item.gold_number == item.evidence_admission_indexes[0]
        if item.family == "organism_count":
            assert item.gold_number == len(item.evidence_eids) == len(set(item.evidence_admission_indexes))
        assert item.admission_distance == item.asked_after_index - min(
            item.evidence_admission_indexes, default=item.asked_after_index
        )
