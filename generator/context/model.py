"""What a run knows about the model's context: its window and how to count prompt tokens, learned once."""

from dataclasses import dataclass

import openai

from generator.context.tokens import TokenCounter, token_counter
from generator.context.window import ContextWindow, discover_window


@dataclass(frozen=True)
class ModelContext:
    """The window (tokens None: unknown, nothing is fitted) and the counter of prompt tokens (None then)."""

    window: ContextWindow
    counter: TokenCounter | None

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
        return f"{window}; prompt tokens counted by {self.counter.method}."


NO_MODEL = ModelContext(ContextWindow(tokens=None, source="no model"), None)


def learn_context(client: openai.OpenAI, model: str, configured: int | None) -> ModelContext:
    """The window (`configured`, else the server's) and the best token counter the server offers."""
    window = discover_window(client, model, configured)
    return ModelContext(window, token_counter(client, model) if window.known else None)
