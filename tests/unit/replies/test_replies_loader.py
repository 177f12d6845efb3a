"""Rule files: the packaged five, a company's own, and every mistake named at load."""

from __future__ import annotations

from pathlib import Path

import pytest

import dnc
from dnc.replies import Intent, classify_reply, default_reply_rules, load_reply_rules
from dnc.replies.analyser import Analyser
from dnc.replies.patterns import PatternError, compile_pattern

HEAD = 'schema_version = 1\nlanguage = "en"\n'


def rule(ident: str = "acme.opt_out.x", pattern: str = "no more acme", **extra: str) -> str:
    fields = {
        "id": f'"{ident}"',
        "intent": '"opt_out"',
        "description": '"test"',
        "patterns": f'["{pattern}"]',
        "examples": '["no more acme"]',
    } | extra
    return "\n[[rules]]\n" + "".join(f"{k} = {v}\n" for k, v in fields.items())


def write(tmp_path: Path, body: str, name: str = "acme.toml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_the_five_languages_are_packaged_and_rule_ids_are_unique_and_prefixed() -> None:
    rules = default_reply_rules()
    assert rules.codes == ("en", "de", "et", "lt", "ru")
    ids = [r.id for r in rules.all_rules()]
    assert len(ids) == len(set(ids))
    short = {Intent.CALLBACK_REQUEST: "callback"}
    for r in rules.all_rules():
        assert r.id.startswith(f"{r.language}.{short.get(r.intent, r.intent.value)}.")
        assert r.description and r.examples


def test_each_language_flags_its_per_se_keyword_rules_and_only_opt_outs() -> None:
    """Reports tell a keyword opt-out from a phrase by the ``per_se`` flag of
    the rule that read it: every language has one, and it reads a bare STOP."""
    rules = default_reply_rules()
    for code in rules.codes:
        flagged = [r for r in rules.all_rules() if r.language == code and r.per_se]
        assert flagged and all(r.intent is Intent.OPT_OUT for r in flagged), code
        assert classify_reply("STOP", code).per_se, code
    phrase = classify_reply("please do not call me again", "en")
    assert phrase.intent is Intent.OPT_OUT and not phrase.per_se


def test_a_company_file_adds_phrases_to_a_known_language(tmp_path: Path) -> None:
    rules = load_reply_rules([write(tmp_path, HEAD + rule())])
    reply = classify_reply("No more ACME, thanks", rules=rules)
    assert reply.intent is Intent.OPT_OUT and "acme.opt_out.x" in reply.rule_ids
    assert classify_reply("No more ACME, thanks").intent is not Intent.OPT_OUT


def test_a_folder_of_company_files_is_read_in_name_order(tmp_path: Path) -> None:
    write(tmp_path, HEAD + rule("acme.opt_out.a"), "a.toml")
    write(tmp_path, HEAD + rule("acme.opt_out.b", "acme go away"), "b.toml")
    (tmp_path / "notes.txt").write_text("not a rule file")
    rules = load_reply_rules([str(tmp_path)])
    assert classify_reply("acme go away", rules=rules).intent is Intent.OPT_OUT


def test_a_company_file_may_bring_a_new_language(tmp_path: Path) -> None:
    body = 'schema_version = 1\nlanguage = "fi"\nname = "Finnish"\nstemmer = "finnish"\n'
    body += rule("fi.opt_out.ala_soita", "älä soita|soittako", examples='["Älä soita enää"]')
    rules = load_reply_rules([write(tmp_path, body)])
    reply = classify_reply("Älä soita enää!", "fi", rules=rules)
    assert reply.intent is Intent.OPT_OUT and reply.language == "fi"


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (HEAD + rule(intent='"stop"'), "rules[0].intent"),
        (HEAD + rule(pattern="( stop"), "rules[0].patterns[0]"),
        (HEAD + rule(pattern="opt.out|x"), "rules[0].patterns[0]"),
        (HEAD + rule(pattern="stop <foo>"), "rules[0].patterns[0]"),
        (HEAD + rule(pattern="call <time>"), "rules[0].patterns[0]"),
        (HEAD + rule(ident="en.opt_out.keyword"), "rules[0].id"),
        (HEAD + rule(ident="Bad Id"), "rules[0].id"),
        (HEAD + rule(colour='"red"'), "rules[0].colour"),
        (HEAD + rule(examples="[]"), "rules[0].examples"),
        (HEAD + rule(reply_wide="true"), "rules[0].reply_wide"),
        (HEAD + rule(intent='"refusal"', per_se="true"), "rules[0].per_se"),
        (HEAD + 'stemmer = "english"\n', "stemmer"),
        ('schema_version = 2\nlanguage = "en"\n', "schema_version"),
        ('schema_version = 1\nlanguage = "EN"\n', "language"),
        ('schema_version = 1\nlanguage = "fi"\nname = "Finnish"\n', "stemmer"),
        ('schema_version = 1\nlanguage = "fi"\nname = "F"\nstemmer = "klingon"\n', "stemmer"),
        (HEAD + '[hints]\ndays = [{ offset = 40, patterns = ["x"] }]\n', "hints.days[0].offset"),
        (HEAD + '[hints]\nclocks = [{ kind = "at", patterns = ["at"] }]\n', "hints.clocks[0]"),
        (HEAD + '[hints]\nparts = [{ window = ["9", "12"], patterns = ["x"] }]\n', "window"),
    ],
)
def test_every_mistake_names_the_file_and_key(tmp_path: Path, body: str, key: str) -> None:
    with pytest.raises(dnc.ConfigError) as caught:
        load_reply_rules([write(tmp_path, body)])
    message = str(caught.value)
    assert "acme.toml" in message and key in message, message


def test_invalid_toml_and_missing_paths_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(dnc.ConfigError, match="not valid TOML"):
        load_reply_rules([write(tmp_path, "language = ")])
    with pytest.raises(dnc.ConfigError, match="neither a file nor a directory"):
        load_reply_rules([tmp_path / "missing.toml"])


def test_patterns_compile_words_through_the_language_stemmer() -> None:
    analyser = Analyser("german", False)
    compiled = compile_pattern("löschen ~2 nummer|*nummer", analyser)
    assert "losch" in compiled.stems
    assert compiled.anchors is not None and "losch" in compiled.anchors.stems


@pytest.mark.parametrize("bad", ["( a | b", "a )", "a | b", "~", "<x>", "?", "( )"])
def test_malformed_patterns_are_refused(bad: str) -> None:
    with pytest.raises(PatternError):
        compile_pattern(bad, Analyser(None, False))
