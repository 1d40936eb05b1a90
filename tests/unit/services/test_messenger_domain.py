"""Reply classification (and its check command), SMS segments, templates."""

from __future__ import annotations

import pytest
from outreach_cli.main import app
from outreach_contracts.contacts import ContactData
from outreach_messenger.domain.replies import OPT_OUT, classify
from outreach_messenger.domain.segments import count
from outreach_messenger.domain.templates import TemplateFailed, render
from typer.testing import CliRunner

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("word", [*sorted(OPT_OUT - {"OPTOUT"}), "OPT OUT", "opt-out", "OptOut", "opt_out"])
@pytest.mark.parametrize("form", ["{}", "{}.", "  {}!!  ", "please {} now", "({})", "“{}”", "{}\tthanks"])
def test_every_stop_form_in_any_case(word: str, form: str) -> None:
    for variant in (word, word.lower(), word.title()):
        assert classify(form.format(variant)) == "opt_out"


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("START", "opt_in"),
        ("unstop", "opt_in"),
        ("Start!", "opt_in"),
        ("HELP", "help"),
        ("help me?", "help"),
        ("Stopping by later", "other"),
        ("unsubscribed already", "other"),
        ("the weekend", "other"),
        ("st op", "other"),
        ("", "other"),
        ("Yes, call me at 5", "other"),
        ("stop and start", "opt_out"),  # when in doubt, stop
        ("help, stop", "opt_out"),
        ("\uff33\uff34\uff2f\uff30", "opt_out"),  # full-width letters
    ],
)
def test_other_verdicts(text: str, verdict: str) -> None:
    assert classify(text) == verdict


def test_classify_reply_command_prints_one_verdict_a_line() -> None:
    result = CliRunner().invoke(app, ["messages", "classify-reply"], input="STOP\nhello\n\nStart\nHELP\nopt out\n")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["opt_out", "other", "other", "opt_in", "help", "opt_out"]


@pytest.mark.parametrize(
    ("body", "encoding", "segments"),
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters take two septets
        ("€" * 81, "GSM-7", 2),
        ("é" * 160, "GSM-7", 1),  # é is in the basic set
        ("ê" * 70, "UCS-2", 1),
        ("ê" * 71, "UCS-2", 2),
        ("😀" * 35, "UCS-2", 1),  # two UTF-16 units each
        ("😀" * 36, "UCS-2", 2),
    ],
)
def test_segments(body: str, encoding: str, segments: int) -> None:
    result = count(body)
    assert (result.encoding, result.segments) == (encoding, segments)


def test_missing_variable_fails_and_defaults_work() -> None:
    contact = ContactData(phone="+12125550123", first_name="Ada", fields={"plan": "gold"})
    assert render("Hi {{ first_name }}, {{ plan }}", contact) == "Hi Ada, gold"
    assert render("Hi {{ nickname | default('there') }}", contact) == "Hi there"
    with pytest.raises(TemplateFailed, match="nickname"):
        render("Hi {{ nickname }}", contact)
    with pytest.raises(TemplateFailed):
        render("{{ ''.__class__.__mro__ }}", contact)  # the sandbox refuses
