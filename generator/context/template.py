"""A server's chat template, learned once per message shape, so that rendering a chat costs no round trip.

A chat template wraps every message's content in text of its own (role markers, separators, tool definitions).
For a *shape* (per message its role and the whitespace its content starts and ends with, and the tools), the
server renders the chat once with a sentinel for each content, carrying that whitespace; when each sentinel
appears exactly once, in order, the text around them is the template's, and any chat of that shape renders as
that text with the real contents where the sentinels were. The result must be exactly what the server renders,
never a guess:
- only contents that a template puts in as they are get spliced (`spliceable`, the one rule); a chat with any
  other content, or with more than a role and a content in a message, is rendered by the server. A template that
  trims contents trims the sentinel's whitespace too, so the sentinel is not found and the shape not spliced;
- the first chat of each shape is also rendered by the server, and the shape is spliced only if the two agree
  (the real contents differ from the sentinels, so this also shows the template's text does not depend on them);
- a shape whose template drops, repeats, moves or transforms a sentinel, or disagrees with the server, is
  rendered by the server for the rest of the run, as if nothing had been learned.
"""

import json
from collections.abc import Callable, Sequence
from typing import Any

# Quotes, markup, a newline, a backslash and a non-ASCII letter: escaped in any way (JSON, HTML), it is not found.
SENTINEL = "\u27e6mimicbench content {}: \"quoted\" <&> 'é'\n\\\u27e7"

Messages = Sequence[dict[str, Any]]
Tools = Sequence[dict[str, Any]] | None
Shape = tuple[tuple[tuple[str, str, str], ...], str | None]  # per message (role, leading, trailing whitespace)


def spliceable(content: Any) -> bool:
    """Whether chat templates put this content in as it is: text whose core (within the whitespace at its ends,
    which the sentinel carries) is not empty and holds none of the markup some templates look for: a `<think>`
    block they cut off, a message that opens or closes with a tag such as `<tool_response>`."""
    if not isinstance(content, str):
        return False
    core = content.strip()
    return core != "" and "think>" not in core and not core.startswith("<") and not core.endswith(">")


class LearnedTemplate:
    """Renders chats as the server's template does: spliced where learned and verified, else by `server`
    (`server(messages, tools)` is the server's own rendering of the chat)."""

    def __init__(self, server: Callable[[Messages, Tools], str]):
        self._server = server
        self._pieces: dict[Shape, list[str] | None] = {}  # per shape: the template's text around the contents

    def render(self, messages: Messages, tools: Tools = None) -> str:
        if not all(set(message) == {"role", "content"} and spliceable(message["content"]) for message in messages):
            return self._server(messages, tools)
        shape = (tuple(_role_and_edges(message) for message in messages), json.dumps(tools) if tools else None)
        contents = [message["content"] for message in messages]
        if shape not in self._pieces:
            pieces = self._learn(shape, tools)
            rendered = self._server(messages, tools)
            self._pieces[shape] = pieces if pieces is not None and _splice(pieces, contents) == rendered else None
            return rendered
        pieces = self._pieces[shape]
        return _splice(pieces, contents) if pieces is not None else self._server(messages, tools)

    def _learn(self, shape: Shape, tools: Tools) -> list[str] | None:
        """The template's text before, between and after the contents of a chat of `shape`; None when the rendering
        with sentinel contents does not show each sentinel, with its whitespace, once and in order."""
        sentinels = [
            leading + SENTINEL.format(index) + trailing for index, (_, leading, trailing) in enumerate(shape[0])
        ]
        sent = [{"role": role, "content": sentinel} for (role, _, _), sentinel in zip(shape[0], sentinels, strict=True)]
        rendered = self._server(sent, tools)
        pieces, rest = [], rendered
        for sentinel in sentinels:
            before, found, rest = rest.partition(sentinel)
            if not found or rendered.count(sentinel) != 1:
                return None
            pieces.append(before)
        return [*pieces, rest]


def _role_and_edges(message: dict[str, Any]) -> tuple[str, str, str]:
    content = message["content"]
    return message["role"], content[: len(content) - len(content.lstrip())], content[len(content.rstrip()) :]


def _splice(pieces: list[str], contents: list[str]) -> str:
    return pieces[0] + "".join(content + piece for content, piece in zip(contents, pieces[1:], strict=True))
