"""The calling-rules engine: when may this number be called, under which law.

Pure domain: rule data is read once by :func:`load_rulebook`; everything
after that is computation on values, with the clock passed in.

    rulebook = load_rulebook(files("dnc.config") / "rules",
                             files("dnc.config") / "nanp_area_codes.csv")
    schedule = rulebook.schedule_for(number, location="US-FL")
    schedule.reasons_at(now)      # [] when hours, days and wishes allow a call
    schedule.next_open(now)       # the exact next allowed instant, in UTC
"""

from dnc.rules.inputs import CallingHours, Preference
from dnc.rules.model import (
    AreaCode,
    CapScope,
    Consent,
    ConsentRule,
    FrequencyCap,
    Jurisdiction,
)
from dnc.rules.rulebook import RuleBook, load_rulebook
from dnc.rules.schedule import Schedule

__all__ = [
    "AreaCode",
    "CallingHours",
    "CapScope",
    "Consent",
    "ConsentRule",
    "FrequencyCap",
    "Jurisdiction",
    "Preference",
    "RuleBook",
    "Schedule",
    "load_rulebook",
]
