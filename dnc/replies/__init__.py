"""Reading replies: is this text a request to stop, a refusal, a callback request?

Pure domain: no storage, no clock. Rules are data (config/intents/*.toml,
one file per language, plus a company's own files); docs/replies.md
describes them, the normalisation, the traps and the legal basis.

    >>> from dnc.replies import classify_reply
    >>> classify_reply("STOP").intent
    <Intent.OPT_OUT: 'opt_out'>
"""

from __future__ import annotations

from dnc.replies.callback import CallbackHint, resolve_callback
from dnc.replies.engine import classify
from dnc.replies.loader import default_reply_rules, load_reply_rules
from dnc.replies.model import Intent, ReplyAction, ReplyIntent, RuleMatch
from dnc.replies.normalise import MAX_CHARS
from dnc.replies.rules import ReplyRules, Rule


def classify_reply(
    text: str, language: str | None = None, *, rules: ReplyRules | None = None
) -> ReplyIntent:
    """What a reply asks for, with the rules that fired and where.

    ``language`` (ISO 639-1, "de-DE" also accepted) is the language the
    reply is expected in: its reading is the answer, but an opt-out in any
    language still counts. None tries every language and reports the one
    that matched. Only the first MAX_CHARS characters are read. ``rules``
    defaults to the packaged rules; pass ``load_reply_rules([...])`` to add
    a company's phrase files.

    Raises InputError when ``text`` is not a str, ReplyLanguageError (an
    InputError) for a language with no rules.
    """
    return classify(rules or default_reply_rules(), text, language)


__all__ = [
    "MAX_CHARS",
    "CallbackHint",
    "Intent",
    "ReplyAction",
    "ReplyIntent",
    "ReplyRules",
    "Rule",
    "RuleMatch",
    "classify_reply",
    "default_reply_rules",
    "load_reply_rules",
    "resolve_callback",
]
