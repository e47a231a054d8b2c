"""Fitting CDM requests into the window: full-information prompts shrink, tools-mode tool results shorten,
counted by a scripted llama.cpp server through the real openai client."""

import openai
import pytest

from generator.cdm.case import DetailedLabResult, MicrobiologyEvent
from generator.cdm.fit import ContextExhausted, fit_full_info, fit_history
from generator.cdm.prompt import SYSTEM_FULL_INFO, full_info_message
from generator.context.tokens import LlamaCppCounter
from generator.context.window import ContextWindow
from tests.cdm.cases import appendicitis_case
from tests.context.fake_llamacpp import FakeLlamaCpp, render_chat, token_count

TOOLS = [{"type": "function", "function": {"name": "imaging", "parameters": {"type": "object"}}}]


def big_case():
    """The appendicitis case with 300 lab results, 40 microbiology events and a 6,000-character CT report."""
    case = appendicitis_case()
    labs = [
        DetailedLabResult(itemid=50000 + n, test_name=f"Analyte {n}", fluid="Blood", value=f"{n}.5 mg/dL")
        for n in range(300)
    ]
    micro = [
        MicrobiologyEvent(test_itemid=90000 + n, test_name=f"CULTURE {n}", comments="No growth.") for n in range(40)
    ]
    reports = [
        case.radiology_reports[0],
        case.radiology_reports[1].model_copy(update={"text": "Fat stranding. " * 400}),
    ]
    return case.model_copy(update={"lab_results": labs, "microbiology_events": micro, "radiology_reports": reports})


def messages_of(case):
    return [{"role": "system", "content": SYSTEM_FULL_INFO}, {"role": "user", "content": full_info_message(case)}]


def counter(server):
    FakeLlamaCpp(server, None)
    return LlamaCppCounter(openai.OpenAI(base_url=server.url, api_key="t", max_retries=0, timeout=5))


def window(tokens):
    return ContextWindow(tokens=tokens, source="test")


def test_full_info_drops_microbiology_then_labs_and_keeps_history_and_exam(openai_server):
    case = big_case()
    full = token_count(render_chat(messages_of(case)))
    messages, record = fit_full_info(
        case, messages_of, window=window(full // 2), counter=counter(openai_server), max_output_tokens=500
    )
    assert record.prompt_tokens <= record.prompt_limit < record.unfitted_prompt_tokens
    assert record.dropped["microbiology_events"] == 40 and 0 < record.dropped["lab_results"] < 300
    assert "imaging_report_characters" not in record.dropped
    user = messages[1]["content"]
    assert case.patient_history in user and case.physical_exam_text in user and "Analyte 0:" in user
    assert (record.output_tokens, record.output_clamped) == (500, False)


def test_full_info_cuts_imaging_text_last_and_is_deterministic(openai_server):
    case = big_case()
    count = counter(openai_server)
    first, record = fit_full_info(case, messages_of, window=window(2500), counter=count, max_output_tokens=500)
    again, _ = fit_full_info(case, messages_of, window=window(2500), counter=count, max_output_tokens=500)
    assert first == again
    assert record.dropped["lab_results"] == 300 and record.dropped["imaging_report_characters"] > 0
    assert "Noncompressible tubular structure" in first[1]["content"]


def test_full_info_that_cannot_fit_raises_context_exhausted(openai_server):
    with pytest.raises(ContextExhausted, match="--context-window"):
        fit_full_info(
            big_case(), messages_of, window=window(300), counter=counter(openai_server), max_output_tokens=200
        )


def test_history_shortens_the_longest_tool_results_and_records_it(openai_server):
    long_result, short_result = "CT: " + "stranding " * 500, "Abd: tender RLQ."
    history = [
        {"role": "system", "content": "You are a doctor."},
        {"role": "user", "content": "Pain in the RLQ."},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "c1"}]},
        {"role": "tool", "tool_call_id": "c1", "content": long_result},
        {"role": "tool", "tool_call_id": "c2", "content": short_result},
    ]
    count = counter(openai_server)
    fitted = fit_history(history, TOOLS, window=window(2000), counter=count, max_output_tokens=400)
    assert fitted.use.prompt_tokens <= fitted.use.prompt_limit < fitted.use.unfitted_prompt_tokens
    assert [s.message for s in fitted.shortened] == [3] and fitted.shortened[0].characters == len(long_result)
    assert (
        history[3]["content"].endswith(f"of {len(long_result)} characters]") and history[4]["content"] == short_result
    )
    assert fitted.use.prompt_tokens == token_count(render_chat(history, TOOLS))
    again = fit_history(history, TOOLS, window=window(1500), counter=count, max_output_tokens=400)
    assert again.shortened[0].characters == len(long_result) and again.shortened[0].kept < fitted.shortened[0].kept


def test_history_that_cannot_fit_raises_context_exhausted(openai_server):
    history = [{"role": "user", "content": "x" * 5000}, {"role": "tool", "tool_call_id": "c", "content": "y"}]
    with pytest.raises(ContextExhausted):
        fit_history(history, TOOLS, window=window(1000), counter=counter(openai_server), max_output_tokens=100)
