"""Shards: every id falls in exactly one shard, by a hash that no process, machine or cohort size changes."""

import pytest

from generator.shards import Shard, ShardError, shard_of


def test_every_subject_falls_in_exactly_one_of_n_shards_and_the_shards_are_near_even():
    ids = range(10_000_000, 10_003_000)
    shards = [Shard(k, 3) for k in (1, 2, 3)]
    held = [[i for i in ids if shard.holds(i)] for shard in shards]
    assert sorted(i for part in held for i in part) == list(ids)
    assert all(900 < len(part) < 1100 for part in held)


def test_the_shard_of_an_id_is_a_fixed_sha256_rule_so_adding_patients_moves_none():
    assert [shard_of(i, 8) for i in (10000032, 10000084, 10001217)] == [4, 8, 4]  # the same on every machine
    before = {i: shard_of(i, 4) for i in range(1000)}
    after = {i: shard_of(i, 4) for i in range(2000)}
    assert all(after[i] == shard for i, shard in before.items())


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0", "-1/2"])
def test_a_shard_other_than_k_of_n_is_refused_with_the_form_to_use(text):
    with pytest.raises(ShardError, match="give K/N with 1 <= K <= N"):
        Shard.parse(text)


def test_a_shard_names_its_files_and_prints_as_given():
    shard = Shard.parse(" 2 / 8 ")
    assert (shard.name, str(shard)) == ("shard-2-of-8", "2/8")
