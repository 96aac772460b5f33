"""The AML parser (ETSI TS 103 625): examples, faults, and properties over arbitrary text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cc112.channels import aml

# The two examples Google publishes for Android ELS (which follows the ETSI format).
NO_LOCATION = ('A"ML=1;lt=+00.00000;lg=+000.00000;rd=N;top=20220131173734;lc=0;pm=N;si=234159000000000;'
               'ei=123456789012345;mcc=234;mnc=15;ml=127')
WIFI_FIX = ('A"ML=1;lt=+51.53321;lg=-0.12601;rd=14;top=20220131171748;lc=68;pm=W;si=234159000000000;'
            'ei=123456789012345;mcc=234;mnc=15;ml=126')


def test_it_reads_every_field_of_a_wifi_fix():
    message = aml.parse(WIFI_FIX)

    assert message.has_position
    assert (message.lat, message.lon, message.radius_m) == (51.53321, -0.12601, 14.0)
    assert message.positioned_at == datetime(2022, 1, 31, 17, 17, 48, tzinfo=UTC)
    assert (message.confidence, message.method, message.version) == (68, "W", "1")
    assert (message.imsi, message.imei, message.mcc, message.mnc) == (
        "234159000000000", "123456789012345", "234", "15")


def test_a_wrong_message_length_is_flagged_but_keeps_a_sound_position():
    message = aml.parse(WIFI_FIX)  # the published example says 126; it has 127 characters

    assert aml.LENGTH_MISMATCH in message.flags and message.has_position
    assert any("ml says 126" in p for p in message.problems)


def test_pm_n_means_no_position():
    message = aml.parse(NO_LOCATION)

    assert not message.has_position and aml.NO_POSITION in message.flags
    assert aml.MALFORMED not in message.flags and message.radius_m is None


def test_the_public_view_leaves_out_imsi_and_imei():
    public = aml.parse(WIFI_FIX).public()

    assert public == {"lat": 51.53321, "lon": -0.12601, "accuracy_m": 14.0, "confidence": 68, "method": "wifi",
                      "positioned_at": "2022-01-31T17:17:48+00:00"}


@pytest.mark.parametrize(("change", "problem"), [
    (("lt=+51.53321", "lt=+91.00000"), "outside"),
    (("lg=-0.12601", "lg=west"), "not a number of degrees"),
    (("rd=14", "rd=-14"), "not a radius"),
    (("top=20220131171748", "top=20220231171748"), "not a real date"),
    (("top=20220131171748", "top=2022"), "yyyyMMddHHmmss"),
    (("pm=W", "pm=X"), "positioning method"),
    (("lt=+51.53321;", ""), "lt is missing"),
])
def test_a_bad_position_field_means_no_position_and_says_why(change, problem):
    message = aml.parse(WIFI_FIX.replace(*change))

    assert not message.has_position
    assert aml.MALFORMED in message.flags and aml.NO_POSITION in message.flags
    assert any(problem in p for p in message.problems), message.problems


@pytest.mark.parametrize("change", [("lc=68", "lc=680"), ("mcc=234", "mcc=23x"), ("ei=123456789012345;", "")])
def test_a_bad_field_outside_the_position_is_flagged_but_the_position_stays(change):
    message = aml.parse(WIFI_FIX.replace(*change))

    assert message.has_position and aml.MALFORMED in message.flags


def test_zero_zero_is_not_a_position_even_with_a_method():
    message = aml.parse(NO_LOCATION.replace("pm=N", "pm=G").replace("rd=N", "rd=10"))

    assert not message.has_position and any("0,0" in p for p in message.problems)


def test_a_repeated_key_keeps_the_first_value_and_says_so():
    message = aml.parse(WIFI_FIX.replace("lc=68;", "lc=68;lt=+10.00000;"))

    assert message.lat == 51.53321 and any("more than once" in p for p in message.problems)


def test_an_unknown_version_is_flagged():
    assert aml.UNSUPPORTED_VERSION in aml.parse(WIFI_FIX.replace('A"ML=1', 'A"ML=7')).flags


@pytest.mark.parametrize(("text", "expected"), [
    (WIFI_FIX, True), ("  " + WIFI_FIX, True), (WIFI_FIX.replace('"', "\u201d"), True),
    ("AML=1;lt=1", False), ("112 KEBAKARAN", False), ("", False),
])
def test_is_aml_recognises_the_header(text, expected):
    assert aml.is_aml(text) is expected


def test_text_that_is_not_aml_parses_to_a_flagged_empty_message():
    message = aml.parse("halo 112")

    assert not message.has_position and aml.MALFORMED in message.flags


@given(st.text(max_size=400))
def test_it_never_raises_on_arbitrary_text(text):
    message = aml.parse(text)

    assert isinstance(message.flags, tuple)
    assert message.has_position is (aml.NO_POSITION not in message.flags and message.lat is not None)


AML_ALPHABET = st.sampled_from(list('A"ML=1;ltgrdopcmsie+-.0123456789NWGCX ') + ["lt=", "lg=", "rd=", "top=", "ml="])


@given(st.lists(AML_ALPHABET, max_size=80).map(lambda parts: 'A"ML=' + "".join(parts)))
def test_it_never_raises_on_text_that_looks_like_aml(text):
    message = aml.parse(text)

    if message.has_position:
        assert message.lat is not None and -90 <= message.lat <= 90
        assert message.lon is not None and -180 <= message.lon <= 180


@given(
    lat=st.floats(-90, 90).map(lambda v: round(v, 5)),
    lon=st.floats(-180, 180).map(lambda v: round(v, 5)),
    radius=st.one_of(st.none(), st.integers(0, 100_000).map(float)),
    when=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
        lambda d: d.replace(microsecond=0, tzinfo=UTC)),
    confidence=st.integers(0, 100),
    method=st.sampled_from("GWC"),
)
def test_what_a_handset_formats_reads_back_the_same(lat, lon, radius, when, confidence, method):
    text = aml.format_aml(lat=lat, lon=lon, radius_m=radius, positioned_at=when, confidence=confidence,
                          method=method)

    message = aml.parse(text)

    assert message.problems == () or (lat == 0 and lon == 0)
    if not (lat == 0 and lon == 0):
        assert message.has_position and message.flags == ()
        assert (message.lat, message.lon, message.radius_m) == (lat, lon, radius)
        assert (message.positioned_at, message.confidence, message.method) == (when, confidence, method)
