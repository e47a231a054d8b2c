"""The model's context window: learn its size, count prompt tokens, fit prompts into it."""
