"""The pure answer helpers: keys, phrase matching, replies, polarity, guards and stated facts."""

from __future__ import annotations

import pytest

from checks.answers import (
    Hit,
    Phrase,
    Seq,
    SubjectTerms,
    find_all,
    find_fact,
    first_hit,
    lead_reply,
    negation_before,
    not_asserted,
    parse_range,
    reply_polarity,
    stem,
    subject_of,
    text_guard,
    text_seqs,
    word_count,
)
from checks.questions import visible_on_page


def seq(text: str) -> Seq:
    """The first sentence of `text`, as the checks see it."""
    return text_seqs(text)[0]


SUBJECT = SubjectTerms(
    terms=(Phrase.of("scalp micropigmentation"), Phrase.of("smp"), Phrase.of("hair tattoo")),
    generic=(Phrase.of("treatment"),),
    others=(Phrase.of("hair transplant"), Phrase.of("tattoo")),
)


def test_inflections_meet_at_one_key() -> None:
    assert len({stem(w) for w in ("fade", "fades", "fading", "faded")}) == 1
    assert stem("sessions") == stem("session")
    assert stem("sitting") == stem("sit")
    assert stem("pricing") == stem("price")
    assert stem("painful") != stem("pain")  # synonyms, not the stemmer, join these


def test_phrases_match_on_lemmas_not_strings() -> None:
    s = seq("Most clients say it hurts a little and the pigment fades over the years.")
    assert first_hit(s, [Phrase.of("hurt")]) is not None
    assert first_hit(s, [Phrase.of("fade over time")]) is None
    assert [h.phrase for h in find_all(s, [Phrase.of("fading"), Phrase.of("years")])] == ["fading", "years"]


def test_hyphenated_and_spaced_forms_meet() -> None:
    assert first_hit(seq("Our one-session package."), [Phrase.of("one session")]) is not None
    assert first_hit(seq("It is pain free."), [Phrase.of("pain-free")]) is not None


def test_longest_phrase_wins_at_a_position() -> None:
    hits = find_all(seq("It never fades."), [Phrase.of("never fade"), Phrase.of("fade")])
    assert [(h.phrase, h.start) for h in hits] == [("never fade", 1)]


@pytest.mark.parametrize(
    ("text", "polarity"),
    [
        ("Yes, it is considered safe.", "yes"),
        ("No. It does not damage follicles.", "no"),
        ("Nope, it does not.", "no"),
        ("No, it doesn't.", "no"),
        ("It depends on your skin type.", "depends"),
        ("Not always: it varies.", "depends"),
    ],
)
def test_lead_replies(text: str, polarity: str) -> None:
    reply = lead_reply(seq(text))
    assert reply is not None and reply.polarity == polarity and reply.lead


def test_no_as_a_determiner_is_not_a_reply() -> None:
    assert lead_reply(seq("No cosmetic pigment is truly permanent.")) is None


@pytest.mark.parametrize(
    ("text", "polarity"),
    [
        ("SMP does not regrow hair.", "no"),
        ("SMP stimulates new hair growth.", "yes"),
        ("SMP cannot be removed once done.", "no"),
        ("It is mildly uncomfortable rather than painful.", "no"),
        ("How fast it fades depends on sun exposure.", "depends"),
    ],
)
def test_statement_polarity_reads_negation(text: str, polarity: str) -> None:
    polar = [Phrase.of(p) for p in ("regrow", "hair growth", "remove", "painful", "fade")]
    reply = reply_polarity(seq(text), polar)
    assert reply is not None and reply.polarity == polarity


def test_negation_window_stops_at_clause_breaks() -> None:
    s = seq("It is not instant, but results last years.")
    at = s.words.index("last")
    assert negation_before(s, at) is None
    s2 = seq("We never try to complete a hairline in a single session.")
    assert negation_before(s2, s2.words.index("single")) == "never"


@pytest.mark.parametrize(
    ("text", "phrase", "reason"),
    [
        ("SMP is not painless, but it is manageable.", "painless", "negated"),
        ("Be wary of any clinic that calls SMP painless.", "painless", "warning"),
        ("Is SMP painless?", "painless", "question"),
        ("If it were done in one session, results would suffer.", "one session", "condition"),
        ("It is semi-permanent.", "permanent", "qualified"),
        ("Traditional tattoos are permanent; SMP fades gently.", "permanent", "another treatment"),
        ("Treatment is spread over visits rather than attempted in one session.", "one session", "negated"),
    ],
)
def test_guards_name_why_a_phrase_is_not_stated(text: str, phrase: str, reason: str) -> None:
    s = seq(text)
    hit = first_hit(s, [Phrase.of(phrase)])
    assert hit is not None
    why = not_asserted(s, hit, SUBJECT)
    assert why is not None and reason in why


def test_a_plain_statement_is_asserted() -> None:
    s = seq("Our SMP treatment is completely painless.")
    hit = first_hit(s, [Phrase.of("painless")])
    assert isinstance(hit, Hit)
    assert not_asserted(s, hit, SUBJECT) is None


def test_subject_named_beats_other_treatments() -> None:
    assert subject_of(seq("A hair tattoo looks like stubble."), SUBJECT)[0] == "smp"
    assert subject_of(seq("A hair transplant regrows hair."), SUBJECT)[0] == "other"
    assert subject_of(seq("The treatment takes hours."), SUBJECT)[0] == "generic"


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("It costs between £1,800 and £2,400.", "money", "£1,800"),
        ("The price depends on the area treated.", "money", "depends"),
        ("Pricing alone does not determine quality.", "money", None),
        ("It usually lasts four to six years.", "duration", "four to six years"),
        ("The results last forever.", "duration", "forever"),
        ("Most clients need two to three sessions.", "count", "two to three sessions"),
        ("It is done in a single appointment.", "count", "a single appointment"),
        ("Each session takes two to four hours.", "hours", "two to four hours"),
    ],
)
def test_stated_facts(text: str, kind: str, found: str | None) -> None:
    fact = find_fact(text, kind)
    assert (fact.strip() if fact else None) == found


def test_parse_range() -> None:
    assert parse_range("two to three sessions") == (2.0, 3.0)
    assert parse_range("8 to 10 years") == (8.0, 10.0)
    assert parse_range("18 months") == (1.5, 1.5)
    assert parse_range("several years") is None


def test_text_guard_on_raw_text() -> None:
    text = "SMP cannot be completed in one session."
    assert text_guard(text, text.index("one")) is not None
    text = "Women's treatment is usually completed in one session."
    assert text_guard(text, text.index("one")) is None


def test_word_count_and_visibility() -> None:
    assert word_count("Yes, it is safe when done by a trained practitioner.") == 10
    page = " yes gradually the pigment softens a little each year and sun is the main cause "
    assert visible_on_page("<p>Yes, gradually. The pigment softens a little each year.</p>", page)
    assert not visible_on_page("No, our pigments never fade.", page)
