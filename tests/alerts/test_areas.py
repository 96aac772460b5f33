"""Area geometry in CAP 1.2 form: 'lat,lon' pairs, closed polygon rings, 'lat,lon radius_km' circles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cc112.alerts.schemas import normalise_circle, normalise_polygon

LAT = st.floats(min_value=-90, max_value=90, allow_nan=False)
LON = st.floats(min_value=-180, max_value=180, allow_nan=False)


@given(st.text(max_size=200))
def test_any_text_is_either_a_polygon_or_a_clear_refusal(text):
    try:
        result = normalise_polygon(text)
    except ValueError as exc:
        assert str(exc)
    else:
        pairs = result.split(" ")
        assert len(pairs) >= 4 and pairs[0] == pairs[-1]


@given(st.lists(st.tuples(LAT, LON), min_size=3, max_size=20, unique=True))
def test_a_closed_ring_of_valid_points_is_accepted_and_stays_closed(points):
    rounded = [(round(lat, 6), round(lon, 6)) for lat, lon in points]
    if len(set(rounded)) < 3:
        return
    ring = " ".join(f"{lat},{lon}" for lat, lon in [*rounded, rounded[0]])
    result = normalise_polygon(ring)
    pairs = result.split(" ")
    assert pairs[0] == pairs[-1] and len(pairs) == len(rounded) + 1
    assert normalise_polygon(result) == result  # normal form is stable


@given(st.text(max_size=60))
def test_any_text_is_either_a_circle_or_a_clear_refusal(text):
    try:
        result = normalise_circle(text)
    except ValueError as exc:
        assert str(exc)
    else:
        point, radius = result.split(" ")
        assert "," in point and float(radius) > 0


@pytest.mark.parametrize("bad", ["nan,122 5", "-0.9,inf 5", "-0.9,122.7 0", "-0.9,122.7 -1", "-0.9,122.7 1e9",
                                 "-0.9 122.7 5", "-0.9,122.7,3 5", "122.7,-0.9x 5"])
def test_bad_circles_are_refused(bad):
    with pytest.raises(ValueError):
        normalise_circle(bad)
