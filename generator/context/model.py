"""What a run knows about the model's context: its window, how to count prompt tokens, and what an evidence id
costs the answer, learned once."""

from dataclasses import dataclass

import openai

from generator.bounds import CHARACTERS_PER_OUTPUT_TOKEN
from generator.context.tokens import EstimatedCounter, TokenCounter, token_counter
from generator.context.window import ContextWindow, discover_window

# Evidence ids of the shapes the marts write, as an answer cites them: mostly digits, which tokenizers split one
# (SmolLM2, Mistral, Qwen) to three (Llama 3, GPT-4) to a token.
ID_SAMPLE = (
    '["EMAR#10040025-2276", "LAB#279671", "RAD#10040025-RR-17", "POE#10039708-1123", "RX#29974575-14", '
    '"MICRO#4512", "DS#10040025-DS-22", "XFER#39997902"]'
)


@dataclass(frozen=True)
class ModelContext:
    """The window (tokens None: unknown, nothing is fitted), the counter of prompt tokens (None then), and the
    characters of an evidence id per output token (the prose figure unless the server's tokenizer counted it)."""

    window: ContextWindow
    counter: TokenCounter | None
    id_characters_per_token: float = CHARACTERS_PER_OUTPUT_TOKEN

    @property
    def known(self) -> bool:
        return self.window.known and self.counter is not None

    def describe(self) -> str:
        """One line for the run's start: the window and how tokens are counted, or that prompts go unfitted."""
        if not self.known:
            return (
                f"Context window unknown ({self.window.source}): prompts are sent as read, not fitted; "
                "pass --context-window N to fit them."
            )
        assert self.counter is not None
        window = f"Context window {self.window.tokens:,} tokens ({self.window.source})"
        ids = f"evidence ids cost {self.id_characters_per_token:.2f} characters an output token"
        return f"{window}; prompt tokens counted by {self.counter.method}; {ids}."


NO_MODEL = ModelContext(ContextWindow(tokens=None, source="no model"), None)


def learn_context(client: openai.OpenAI, model: str, configured: int | None) -> ModelContext:
    """The window (`configured`, else the server's), the best token counter the server offers, and what an id
    costs by that counter."""
    window = discover_window(client, model, configured)
    if not window.known:
        return ModelContext(window, None)
    counter = token_counter(client, model)
    return ModelContext(window, counter, id_characters_per_token(counter))


def id_characters_per_token(counter: TokenCounter) -> float:
    """Characters of `ID_SAMPLE` per token by the server's tokenizer, at most the prose figure; the prose figure
    when there is no tokenizer (the byte estimate would say one, and shrink every bound for nothing)."""
    if isinstance(counter, EstimatedCounter):
        return CHARACTERS_PER_OUTPUT_TOKEN
    tokens = counter.count([{"role": "user", "content": ID_SAMPLE}]) - counter.count([{"role": "user", "content": ""}])
    return min(CHARACTERS_PER_OUTPUT_TOKEN, len(ID_SAMPLE) / max(1, tokens))
