"""Every rule's own examples and counter-examples, as written in config/intents/*.toml.

An example must make its rule fire and be read as the rule's intent (in the
rule's language); a counter-example must not be read as the rule's intent.
"""

from __future__ import annotations

import pytest

from dnc.replies import Rule, classify_reply, default_reply_rules

RULES = default_reply_rules().all_rules()


def _ids(rule: Rule) -> str:
    return rule.id


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_rule_examples_fire_and_read_as_the_rule_intent(rule: Rule) -> None:
    for example in rule.examples:
        reply = classify_reply(example, rule.language)
        assert rule.id in reply.rule_ids, f"{example!r}: {reply.rule_ids}"
        assert reply.intent is rule.intent, f"{example!r}: {reply}"


@pytest.mark.parametrize("rule", RULES, ids=_ids)
def test_rule_counter_examples_do_not_read_as_the_rule_intent(rule: Rule) -> None:
    for counter in rule.counter_examples:
        reply = classify_reply(counter, rule.language)
        assert reply.intent is not rule.intent, f"{counter!r}: {reply}"


def test_every_packaged_rule_has_examples_and_counter_examples() -> None:
    for rule in RULES:
        assert rule.examples and rule.counter_examples, rule.id
