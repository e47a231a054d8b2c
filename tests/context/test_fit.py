"""Fitting an admission's prompt into the window, on the synthetic warehouse's largest packet, counting tokens
with a scripted llama.cpp server (tests/context/fake_llamacpp.py) through the real openai client."""

import openai
import pytest

from generator.context.fit import NEVER_SHRUNK, SHRINK_TIERS, ContextOverflow, fit_admission
from generator.context.tokens import EstimatedCounter, LlamaCppCounter, least_tokens
from generator.context.window import ContextWindow, discover_window
from generator.llm import LLMClient, LLMError, LLMSettings
from generator.packet import SECTIONS
from generator.prompt import render_prompt, render_sections, row_texts
from generator.warehouse import Warehouse
from tests.context.fake_llamacpp import FakeLlamaCpp, render_chat, token_count


@pytest.fixture(scope="module")
def largest(synthetic_warehouse):
    """The warehouse and the admission whose packet renders to the longest user message."""
    warehouse = Warehouse(synthetic_warehouse)
    hadm_ids = [ref.hadm_id for row in warehouse.cohort() for ref in warehouse.admissions(row["subject_id"])]
    hadm_id = max(hadm_ids, key=lambda hadm: len(render_prompt(warehouse.packet(hadm), None).user))
    yield warehouse, hadm_id
    warehouse.close()


def client(server) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url, api_key="test", max_retries=0, timeout=5)


def fit(warehouse, hadm_id, counter, window, *, max_output_tokens=2000, caps=None):
    return fit_admission(
        lambda caps: warehouse.packet(hadm_id, caps),
        lambda packet, rendered: render_prompt(packet, None, rendered),
        caps=caps or {},
        window=ContextWindow(tokens=window, source="test"),
        counter=counter,
        max_output_tokens=max_output_tokens,
    )


def unfitted_tokens(warehouse, hadm_id) -> int:
    return token_count(render_chat(render_prompt(warehouse.packet(hadm_id), None).messages()))


def test_row_texts_add_up_to_the_rendered_sections(largest):
    warehouse, hadm_id = largest
    packet = warehouse.packet(hadm_id)
    texts = row_texts(packet)
    shown = [name for name in SECTIONS if packet.sections[name].rows]
    headers = sum(len(line) for line in render_sections(packet).splitlines() if line.startswith("## "))
    rows = sum(len(texts[name]) + len("".join(texts[name])) for name in shown)  # each row's text and its newline
    assert len(render_sections(packet)) == headers + len(shown) - 1 + rows


def test_a_prompt_that_fits_is_sent_as_read_counted_once_and_the_answer_gets_what_it_asked(openai_server, largest):
    warehouse, hadm_id = largest
    FakeLlamaCpp(openai_server, None)
    fitted = fit(warehouse, hadm_id, LlamaCppCounter(client(openai_server)), 1_000_000)
    record = fitted.record
    assert record.token_counts == 1 and record.rows_dropped == {}
    assert record.prompt_tokens == record.unfitted_prompt_tokens == unfitted_tokens(warehouse, hadm_id)
    assert (record.output_tokens, record.output_clamped) == (2000, False)
    assert record.caps == warehouse.build_info()["caps"]


def test_fitting_drops_rows_tier_by_tier_until_the_prompt_fits(openai_server, largest):
    warehouse, hadm_id = largest
    FakeLlamaCpp(openai_server, None)
    window = unfitted_tokens(warehouse, hadm_id) // 2
    fitted = fit(warehouse, hadm_id, LlamaCppCounter(client(openai_server)), window)
    record, before = fitted.record, warehouse.packet(hadm_id)
    assert record.prompt_tokens <= record.prompt_limit < record.unfitted_prompt_tokens_at_least
    assert record.prompt_tokens == token_count(render_chat(fitted.prompt.messages()))
    assert record.rows_dropped and 2 <= record.token_counts <= 5
    assert record.prompt_tokens >= 0.9 * record.prompt_limit  # little more dropped than needed
    for name, dropped in record.rows_dropped.items():
        assert dropped == before.sections[name].rows_kept - fitted.packet.sections[name].rows_kept
        assert record.caps[name] < (before.sections[name].cap or 10**9)
    touched = [index for index, tier in enumerate(SHRINK_TIERS) if set(tier) & set(record.rows_dropped)]
    for earlier in SHRINK_TIERS[: max(touched)]:
        assert all(fitted.packet.sections[name].rows_kept == 0 for name in earlier)
    for name in NEVER_SHRUNK:
        assert fitted.packet.sections[name] == before.sections[name]
    assert fitted.packet.admission == before.admission
    shrunk = next(name for name in record.rows_dropped if fitted.packet.sections[name].rows_kept)
    section = fitted.packet.sections[shrunk]
    assert f"## {shrunk} ({section.rows_kept} of {section.rows_seen} kept)" in fitted.prompt.user


def test_same_packet_and_window_give_the_same_prompt_byte_for_byte(openai_server, largest):
    warehouse, hadm_id = largest
    FakeLlamaCpp(openai_server, None)
    window = unfitted_tokens(warehouse, hadm_id) // 3
    first, second = (fit(warehouse, hadm_id, LlamaCppCounter(client(openai_server)), window) for _ in range(2))
    assert first.prompt.user.encode() == second.prompt.user.encode()
    assert first.record == second.record


def test_a_prompt_whose_characters_alone_overflow_is_fitted_without_counting_it_and_the_record_says_so(
    openai_server, largest
):
    warehouse, hadm_id = largest
    FakeLlamaCpp(openai_server, None)
    unfitted = render_prompt(warehouse.packet(hadm_id), None)
    window = unfitted_tokens(warehouse, hadm_id) // 8
    first, second = (fit(warehouse, hadm_id, LlamaCppCounter(client(openai_server)), window) for _ in range(2))
    record = first.record
    assert record.unfitted_prompt_tokens is None
    assert record.unfitted_prompt_tokens_at_least == least_tokens(unfitted.messages()) > record.prompt_limit
    counted = [r.body["content"] for r in openai_server.side_requests if r.path == "/tokenize"]
    assert render_chat(unfitted.messages()) not in counted and len(counted) == 2 * record.token_counts
    # its beginning is counted all the same: with the smallest prompt it aims the first guess at the rows' tokens
    whole = render_chat(unfitted.messages())
    assert sum(whole.startswith(text.rsplit("<|im_end|>", 1)[0]) for text in counted) == 2
    assert record.prompt_tokens == token_count(render_chat(first.prompt.messages())) <= record.prompt_limit
    assert record.prompt_tokens >= 0.9 * record.prompt_limit
    assert first.prompt.user.encode() == second.prompt.user.encode() and first.record == second.record


def test_a_long_prompt_is_proven_over_by_counting_its_beginning_and_the_record_says_so(openai_server, largest):
    warehouse, hadm_id = largest
    FakeLlamaCpp(openai_server, None)
    unfitted = render_chat(render_prompt(warehouse.packet(hadm_id), None).messages())
    window = unfitted_tokens(warehouse, hadm_id) // 2
    first, second = (fit(warehouse, hadm_id, LlamaCppCounter(client(openai_server)), window) for _ in range(2))
    record = first.record
    counted = [r.body["content"] for r in openai_server.side_requests if r.path == "/tokenize"]
    # the smallest prompt is counted at the same time, so the order of the counts is not fixed
    beginnings = [text for text in counted if unfitted.startswith(text.rsplit("<|im_end|>", 1)[0])]
    beginning = beginnings[0]
    assert record.unfitted_prompt_tokens is None and unfitted not in counted
    assert beginnings == [beginning] * 2 and len(beginning) < 0.8 * len(unfitted)
    assert record.unfitted_prompt_tokens_at_least == token_count(beginning) > record.prompt_limit
    assert record.prompt_tokens == token_count(render_chat(first.prompt.messages())) <= record.prompt_limit
    assert record.prompt_tokens >= 0.9 * record.prompt_limit and record.token_counts <= 4
    assert first.prompt.user.encode() == second.prompt.user.encode() and first.record == second.record


def test_a_prompt_a_little_over_the_limit_is_counted_whole_before_fitting(openai_server, largest):
    warehouse, hadm_id = largest
    FakeLlamaCpp(openai_server, None)
    window = unfitted_tokens(warehouse, hadm_id)
    record = fit(warehouse, hadm_id, LlamaCppCounter(client(openai_server)), window).record
    assert record.unfitted_prompt_tokens == unfitted_tokens(warehouse, hadm_id) > record.prompt_limit
    assert record.unfitted_prompt_tokens_at_least is None and record.rows_dropped


def test_the_output_budget_is_clamped_to_what_the_fitted_prompt_leaves(openai_server, largest):
    warehouse, hadm_id = largest
    FakeLlamaCpp(openai_server, None)
    window = unfitted_tokens(warehouse, hadm_id) // 2
    record = fit(warehouse, hadm_id, LlamaCppCounter(client(openai_server)), window, max_output_tokens=50_000).record
    assert record.output_clamped and record.output_tokens_requested == 50_000
    assert record.output_tokens == window - window // 64 - record.prompt_tokens
    assert record.output_tokens >= window // 4


def test_an_admission_that_cannot_fit_even_without_shrinkable_rows_fails_with_its_own_error(openai_server, largest):
    warehouse, hadm_id = largest
    FakeLlamaCpp(openai_server, None)
    with pytest.raises(ContextOverflow, match="--context-window") as caught:
        fit(warehouse, hadm_id, LlamaCppCounter(client(openai_server)), 1024)
    assert caught.value.kind == "context_overflow" and str(hadm_id) in str(caught.value)


def test_the_fitted_prompt_passes_a_server_that_rejects_overflowing_requests(openai_server, largest):
    warehouse, hadm_id = largest
    window = unfitted_tokens(warehouse, hadm_id) // 2
    server = FakeLlamaCpp(openai_server, window)
    sdk = client(openai_server)
    llm = LLMClient(sdk, LLMSettings(model="local", max_output_tokens=2000, retry_limit=0))
    with pytest.raises(LLMError, match="exceeds the available context size"):
        llm.chat(render_prompt(warehouse.packet(hadm_id), None).messages())
    fitted = fit_admission(
        lambda caps: warehouse.packet(hadm_id, caps),
        lambda packet, rendered: render_prompt(packet, None, rendered),
        caps={},
        window=discover_window(sdk, "local"),
        counter=LlamaCppCounter(sdk),
        max_output_tokens=2000,
    )
    llm = LLMClient(sdk, LLMSettings(model="local", max_output_tokens=fitted.record.output_tokens, retry_limit=0))
    assert llm.chat(fitted.prompt.messages()).content == "{}"
    assert fitted.record.context_window == window and server.chats[-1]["max_tokens"] == fitted.record.output_tokens


def test_the_byte_estimate_fits_a_smaller_prompt_than_the_server_tokenizer_would(openai_server, largest):
    warehouse, hadm_id = largest
    FakeLlamaCpp(openai_server, None)
    window = unfitted_tokens(warehouse, hadm_id) // 2
    counted = fit(warehouse, hadm_id, LlamaCppCounter(client(openai_server)), window)
    estimated = fit(warehouse, hadm_id, EstimatedCounter(), window)
    assert token_count(render_chat(estimated.prompt.messages())) < counted.record.prompt_tokens
    assert estimated.record.token_counter.startswith("estimate")


def test_an_unknown_window_sends_the_prompt_unfitted_and_counts_nothing(openai_server, largest):
    warehouse, hadm_id = largest
    fitted = fit_admission(
        lambda caps: warehouse.packet(hadm_id, caps),
        lambda packet, rendered: render_prompt(packet, None, rendered),
        caps={"labs": 5},
        window=ContextWindow(tokens=None, source="the server does not say"),
        counter=None,
        max_output_tokens=2000,
    )
    assert fitted.record.context_window is None and fitted.record.prompt_tokens is None
    assert fitted.record.caps["labs"] == 5 and openai_server.side_requests == []


def test_every_packet_section_has_one_place_in_the_shrink_order():
    placed = [name for tier in SHRINK_TIERS for name in tier] + list(NEVER_SHRUNK)
    assert sorted(placed) == sorted(SECTIONS) and len(placed) == len(set(placed))
