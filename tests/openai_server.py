"""Placeholder: the scripted OpenAI-compatible test server (fixture `openai_server`) lands here."""
