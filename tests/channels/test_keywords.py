"""The `112 KEYWORD …` format against the seeded catalogue: pure functions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cc112.catalog.taxonomy import TAXONOMY
from cc112.channels import keywords

# The catalogue exactly as `cc112 seed` stores it (keywords joined by spaces).
TYPES = [keywords.TypeTerms(t.code, t.name_id, " ".join(t.keywords)) for t in TAXONOMY]


@pytest.mark.parametrize(("word", "code"), [
    ("KEBAKARAN", "kebakaran_bangunan"), ("BANJIR", "banjir"), ("LONGSOR", "tanah_longsor"),
    ("KECELAKAAN", "kecelakaan_lalu_lintas"), ("SAKIT", "kegawatan_medis"), ("MEDIS", "kegawatan_medis"),
    ("AMBULANS", "kegawatan_medis"), ("HAMIL", "darurat_ibu_hamil"), ("MELAHIRKAN", "darurat_ibu_hamil"),
    ("TENGGELAM", "kecelakaan_laut"), ("GEMPA", "gempa_bumi"), ("TSUNAMI", "tsunami"), ("KDRT", "kdrt"),
    ("LAUT", "kecelakaan_laut"), ("JALAN", "jalan_rusak"), ("kebakaran", "kebakaran_bangunan"),
    ("KEBAKRAN", "kebakaran_bangunan"), ("AMBULANCE", "kegawatan_medis"), ("DAMKAR", "kebakaran_bangunan"),
])
def test_a_keyword_means_the_type_a_resident_would_expect(word, code):
    assert keywords.resolve(word, TYPES) == code


@pytest.mark.parametrize("word", ["DARURAT", "TOLONG", "HALO", "XYZ", "UL", "", "12345"])
def test_generic_or_unknown_words_mean_no_type(word):
    assert keywords.resolve(word, TYPES) is None


@pytest.mark.parametrize(("text", "kind", "keyword", "rest"), [
    ("112 KEBAKARAN Desa Hanga-Hanga rumah terbakar", "keyword", "KEBAKARAN", "Desa Hanga-Hanga rumah terbakar"),
    ("112#banjir: air masuk rumah", "keyword", "banjir", "air masuk rumah"),
    ("  112KEBAKARAN", "keyword", "KEBAKARAN", ""),
    ("112 GUNUNGMELETUS abu", "unknown_keyword", "GUNUNGMELETUS", "abu"),
    ("tolong ada kebakaran", "free_text", None, "tolong ada kebakaran"),
    ("112", "free_text", None, ""),
    ("1120 pulsa", "free_text", None, "1120 pulsa"),
])
def test_parse_tells_keyword_reports_from_free_text(text, kind, keyword, rest):
    report = keywords.parse(text, TYPES)

    assert (report.kind, report.keyword, report.rest) == (kind, keyword, rest)
    assert (report.type_code is not None) == (kind == "keyword")


def test_the_suggested_keywords_all_work_here():
    suggested = keywords.suggestions(TYPES)

    assert "KEBAKARAN" in suggested and len(suggested) >= 4
    assert all(keywords.resolve(word, TYPES) for word in suggested)


def test_a_catalogue_without_those_types_suggests_nothing_it_cannot_handle():
    only_fire = [keywords.TypeTerms("kebakaran_bangunan", "Kebakaran bangunan", "kebakaran api")]

    assert keywords.suggestions(only_fire) == ["KEBAKARAN"]


@given(st.text(max_size=300))
def test_parse_never_raises_and_always_says_what_it_found(text):
    report = keywords.parse(text, TYPES)

    assert report.kind in ("keyword", "free_text", "unknown_keyword")
    assert (report.type_code is None) == (report.kind != "keyword")
