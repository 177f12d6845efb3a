"""The reading of one reply: what the person asked for, and the evidence for it.

Pure domain. ``ReplyIntent`` is what ``classify_reply`` returns; its
``action`` says what recording the reply would do, so the code that stores
replies does not have to re-decide anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, tzinfo
from enum import StrEnum

from dnc.outcomes import Outcome
from dnc.replies.callback import CallbackHint, resolve_callback


class Intent(StrEnum):
    """What a reply asks for. The values are a public contract (JSON, stored evidence)."""

    OPT_OUT = "opt_out"
    REFUSAL = "refusal"
    CALLBACK_REQUEST = "callback_request"
    NONE = "none"


# When one reply says several things the strongest wins: a stop request over
# everything (a missed opt-out is a violation), a callback over a refusal
# ("no, call me tomorrow" is not a no to the campaign).
INTENT_RANK = {
    Intent.OPT_OUT: 3,
    Intent.CALLBACK_REQUEST: 2,
    Intent.REFUSAL: 1,
    Intent.NONE: 0,
}


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """One rule that fired: its id, what it reads, and where in the original text.

    ``start``/``end`` index the text as given (Python string offsets), so
    ``text[start:end] == match.text``. A match inside a guard's span (a
    rule whose intent is ``none``, such as "what does STOP do?") is listed
    but set aside.
    """

    rule_id: str
    intent: Intent
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule_id,
            "intent": self.intent.value,
            "start": self.start,
            "end": self.end,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class ReplyAction:
    """What recording a reply does.

    ``outcome`` is the call outcome to record (None: no outcome), with
    ``refusals`` for a refusal and ``callback_at`` for a callback (None:
    the campaign's callback delay applies). ``not_before``/``not_after``
    are a standing preferred-hours wish to record with ``set_preference``.
    """

    outcome: Outcome | None
    refusals: int = 0
    callback_at: datetime | None = None
    not_before: time | None = None
    not_after: time | None = None


@dataclass(frozen=True, slots=True)
class ReplyIntent:
    """The reading of one reply.

    ``language`` is the ISO 639-1 code of the rules that matched (None when
    nothing did). ``per_se`` is True for a reply that is nothing but an
    opt-out keyword ("STOP", "opt-out", "СТОП"). ``callback`` is set for a
    callback request only.
    """

    intent: Intent
    language: str | None = None
    matches: tuple[RuleMatch, ...] = ()
    per_se: bool = False
    callback: CallbackHint | None = None

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(m.rule_id for m in self.matches)

    def action(self, received_at: datetime, tz: tzinfo | str) -> ReplyAction:
        """The effect of recording this reply, received at ``received_at`` in ``tz``.

        opt_out → the opt-out outcome (which acts through the do-not-call
        list); refusal → one refusal towards the three no's; a callback
        request → a callback at the time asked for, or, for a standing wish
        such as "don't call before 10", preferred hours and no outcome;
        none → nothing.
        """
        if self.intent is Intent.OPT_OUT:
            return ReplyAction(Outcome.OPT_OUT)
        if self.intent is Intent.REFUSAL:
            return ReplyAction(Outcome.REFUSED, refusals=1)
        if self.intent is Intent.CALLBACK_REQUEST:
            hint = self.callback or CallbackHint()
            if hint.standing:
                return ReplyAction(None, not_before=hint.not_before, not_after=hint.not_after)
            return ReplyAction(
                Outcome.CALLBACK, callback_at=resolve_callback(hint, received_at, tz)
            )
        return ReplyAction(None)

    def to_dict(self) -> dict[str, object]:
        return {
            "intent": self.intent.value,
            "language": self.language,
            "per_se": self.per_se,
            "matches": [m.to_dict() for m in self.matches],
            "callback": self.callback.to_dict() if self.callback else None,
        }
