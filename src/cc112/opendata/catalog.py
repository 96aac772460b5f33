"""What is published: the datasets, their fields (the data dictionary), the licence and the rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cc112.contacts.models import CHANNELS

LICENCE = {
    "name": "CC BY 4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
ATTRIBUTION = "Command Center 112 Kabupaten Banggai"
DICTIONARY_URL = "/opendata/dictionary.json"

SUPPRESSION_RULE = {
    "id": (
        "Setiap angka adalah jumlah atau ukuran untuk satu bulan kalender (waktu setempat) dan satu sel tabel. "
        "1) Jumlah 1 sampai {n1} disembunyikan (nol tetap diterbitkan). "
        "2) Pelengkap: bila dalam satu baris (bagian-bagian dan jumlahnya: jenis × kecamatan dengan total "
        "jenis, total kecamatan dan total bulan; kanal kontak dengan total kontak) hanya satu angka "
        "disembunyikan, angka itu dapat dihitung dengan pengurangan, maka satu angka lagi ikut disembunyikan: "
        "bagian terkecil yang masih terbit, atau totalnya; diulang sampai tidak ada baris dengan tepat satu "
        "angka tersembunyi. "
        "3) Pemeriksaan: semua angka tersembunyi diselesaikan bersama dari semua baris; bila satu saja dapat "
        "dihitung tepat, angka lain di dekatnya ikut disembunyikan dan langkah 2–3 diulang. "
        "Waktu (p50, p90, rata-rata) dan persentase hanya diterbitkan bila dihitung dari sedikitnya {n} "
        "penugasan atau kontak. Sel H3 dengan kurang dari {n} insiden tidak dicantumkan sama sekali. "
        "Setiap bulan disembunyikan sendiri, jadi bulan yang sama selalu sama di setiap unduhan; jumlah "
        "beberapa bulan hanya ditampilkan bila semua bulannya terbit. Hanya bulan penuh yang diterbitkan."
    ),
    "en": (
        "Every number is a count or a measure for one calendar month (local time) and one cell of a table. "
        "1) Counts from 1 to {n1} are suppressed (zero is published). "
        "2) Complementary: where a line (parts and their total: type × kecamatan with the type totals, the "
        "kecamatan totals and the month total; contact channels with the contact total) has exactly one "
        "suppressed number, it could be found by subtraction, so one more is suppressed: the line's smallest "
        "published part, else its total; repeated until no line has exactly one suppressed number. "
        "3) Audit: all suppressed numbers are solved for together from every line; while any one of them is "
        "determined exactly, one more next to it is suppressed and steps 2–3 run again. "
        "Times (p50, p90, means) and shares are published only when computed from at least {n} assignments or "
        "contacts. H3 cells with fewer than {n} incidents are left out entirely. Each month is suppressed on "
        "its own, so a month is the same in every download; sums over several months are shown only when "
        "every month in them is published. Only full months are published."
    ),
}
PRIVACY = {
    "id": "Tidak ada data pribadi: tanpa nomor, nama, alamat, uraian atau posisi tepat. Lokasi hanya sebagai titik "
    "tengah kecamatan atau sel heksagon H3 (resolusi 7, sekitar 5 km²). Latihan dan laporan ganda yang "
    "digabung tidak dihitung. Jenis sensitif (KDRT, kekerasan anak, krisis kejiwaan) hanya diterbitkan "
    "sebagai satu kelompok.",
    "en": "No personal data: no numbers, names, addresses, descriptions or exact positions. Places only as kecamatan "
    "centroids or H3 hexagons (resolution 7, about 5 km²). Exercises and merged duplicates are not counted. "
    "Sensitive types (domestic violence, child abuse, mental-health crisis) are published only as one group.",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # string | integer | number | array
    id: str
    en: str
    unit: str | None = None


@dataclass(frozen=True)
class Dataset:
    name: str
    title_id: str
    title_en: str
    formats: tuple[str, ...]
    fields: tuple[Field, ...]
    about_id: str
    about_en: str


MONTH = Field("month", "string", "Bulan kalender, waktu setempat (YYYY-MM)", "Calendar month, local time (YYYY-MM)")
SUPPRESSED = Field(
    "suppressed",
    "array",
    "Nama kolom yang disembunyikan oleh aturan sel kecil (CSV: dipisah spasi); kolom itu kosong/null",
    "Names of the fields withheld by the small-cell rule (CSV: space-separated); those fields are empty/null",
)
COUNT = Field(
    "count",
    "integer",
    "Jumlah insiden (bukan latihan, bukan laporan ganda yang digabung)",
    "Number of incidents (no exercises, no merged duplicates)",
)
TYPE = (
    Field(
        "type_code",
        "string",
        "Kode jenis insiden; 'sensitif' = kelompok jenis sensitif",
        "Incident type code; 'sensitif' = the group of sensitive types",
    ),
    Field("type_name", "string", "Nama jenis (Bahasa Indonesia)", "Type name (Bahasa Indonesia)"),
    Field("type_name_en", "string", "Nama jenis (Inggris)", "Type name (English)"),
)
KEC = (
    Field(
        "kecamatan_code",
        "string",
        "Kode kecamatan Kemendagri; kosong = di luar wilayah/tanpa lokasi",
        "Kemendagri kecamatan code; empty = outside every kecamatan / not located",
    ),
    Field("kecamatan_name", "string", "Nama kecamatan", "Kecamatan name"),
)
CENTROID = (
    Field(
        "centroid_lat",
        "number",
        "Lintang titik tengah kecamatan (bukan lokasi insiden)",
        "Latitude of the kecamatan centroid (not an incident position)",
        "degree",
    ),
    Field("centroid_lon", "number", "Bujur titik tengah kecamatan", "Longitude of the kecamatan centroid", "degree"),
)

_TIMING_TEXT = {
    "acknowledge": ("penerimaan tugas (diminta → diakui instansi)", "acknowledgement (requested → acknowledged)"),
    "response": ("respons (insiden dibuat → unit di lokasi)", "response (incident created → unit on scene)"),
    "resolution": (
        "penyelesaian (insiden dibuat → tugas selesai)",
        "resolution (incident created → assignment completed)",
    ),
}


def _timing_fields() -> tuple[Field, ...]:
    out = []
    for name, (tid, ten) in _TIMING_TEXT.items():
        out += [
            Field(
                f"{name}_measured", "integer", f"Penugasan yang terukur untuk {tid}", f"Assignments measured for {ten}"
            ),
            Field(f"{name}_p50_s", "number", f"Median waktu {tid}", f"Median time of {ten}", "second"),
            Field(
                f"{name}_p90_s",
                "number",
                f"Persentil ke-90 waktu {tid} (peringkat terdekat)",
                f"90th percentile (nearest rank) of {ten}",
                "second",
            ),
            Field(
                f"{name}_share_within_target",
                "number",
                f"Bagian penugasan yang jatuh tempo dan mencapai target {tid} "
                "(target per prioritas yang berlaku saat itu)",
                f"Share of due assignments that met the {ten} target in force for their priority",
                "ratio 0–1",
            ),
        ]
    return tuple(out)


def _channel_fields() -> tuple[Field, ...]:
    return tuple(
        Field(f"channel_{c}", "integer", f"Kontak lewat kanal {c}", f"Contacts on channel {c}") for c in CHANNELS
    )


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "incidents-monthly",
            "Insiden per bulan",
            "Incidents per month",
            ("csv", "json"),
            (MONTH, COUNT, SUPPRESSED),
            "Jumlah insiden per bulan.",
            "Incidents per month.",
        ),
        Dataset(
            "incidents-monthly-by-type",
            "Insiden per bulan menurut jenis",
            "Incidents per month by type",
            ("csv", "json"),
            (MONTH, *TYPE, COUNT, SUPPRESSED),
            "Baris dengan jumlah 0 tidak dicantumkan.",
            "Rows with a count of 0 are left out.",
        ),
        Dataset(
            "incidents-by-kecamatan",
            "Insiden per bulan menurut kecamatan",
            "Incidents per month by kecamatan",
            ("csv", "json", "geojson"),
            (MONTH, *KEC, *CENTROID, COUNT, SUPPRESSED),
            "Semua kecamatan tiap bulan. GeoJSON: satu titik tengah per kecamatan dengan 'months' (jumlah per bulan) "
            "dan 'count' (jumlah periode, kosong bila ada bulan yang disembunyikan).",
            "Every kecamatan each month. GeoJSON: one centroid per kecamatan with 'months' (count per month) and "
            "'count' (the period's sum, empty when a month is suppressed).",
        ),
        Dataset(
            "incidents-monthly-by-type-kecamatan",
            "Insiden per bulan menurut jenis dan kecamatan",
            "Incidents per month by type and kecamatan",
            ("csv", "json"),
            (MONTH, *TYPE, *KEC, COUNT, SUPPRESSED),
            "Tabel silang; total baris dan kolom ada di dua dataset di atas. Sel 0 tidak dicantumkan.",
            "The cross-tab; its row and column totals are the two datasets above. Cells of 0 are left out.",
        ),
        Dataset(
            "agency-performance-monthly",
            "Kinerja instansi per bulan terhadap target",
            "Agency performance against targets per month",
            ("csv", "json"),
            (
                MONTH,
                Field("agency_code", "string", "Kode instansi", "Agency code"),
                Field("agency_name", "string", "Nama instansi", "Agency name"),
                Field(
                    "assignments",
                    "integer",
                    "Penugasan ke instansi untuk insiden bulan itu",
                    "Assignments to the agency for the month's incidents",
                ),
                *_timing_fields(),
                SUPPRESSED,
            ),
            "Sama dengan kartu skor pimpinan.",
            "The same as the leaders' scorecard.",
        ),
        Dataset(
            "contacts-monthly",
            "Statistik kontak per bulan",
            "Contact statistics per month",
            ("csv", "json"),
            (
                MONTH,
                Field("total", "integer", "Semua kontak masuk (telepon, SMS, web, …)", "All inbound contacts"),
                Field("answered", "integer", "Kontak yang dijawab", "Contacts answered"),
                Field(
                    "false_share",
                    "number",
                    "Bagian kontak palsu (iseng dan diam)",
                    "Share of false contacts (prank, ghost)",
                    "ratio 0–1",
                ),
                Field(
                    "abandon_rate",
                    "number",
                    "Bagian kontak yang terputus sebelum dijawab",
                    "Share of abandoned contacts",
                    "ratio 0–1",
                ),
                Field("mean_answer_s", "number", "Rata-rata waktu jawab", "Mean answer time", "second"),
                Field(
                    "share_answered_within_10s",
                    "number",
                    "Bagian yang dijawab dalam 10 detik",
                    "Share answered within 10 s",
                    "ratio 0–1",
                ),
                Field(
                    "mean_slowest_10pct_answer_s",
                    "number",
                    "Rata-rata 10 % jawaban terlambat",
                    "Mean of the slowest 10 % of answer times",
                    "second",
                ),
                *_channel_fields(),
                SUPPRESSED,
            ),
            "Ukuran laporan 112 Eropa.",
            "As European 112 reports measure them.",
        ),
        Dataset(
            "hotspots",
            "Titik rawan (sel H3)",
            "Hotspots (H3 cells)",
            ("csv", "json", "geojson"),
            (
                MONTH,
                Field("h3_cell", "string", "Indeks sel H3", "H3 cell index"),
                Field("h3_resolution", "integer", "Resolusi H3 (7 ≈ 5 km²)", "H3 resolution (7 ≈ 5 km²)"),
                Field("cell_lat", "number", "Lintang pusat sel", "Latitude of the cell centre", "degree"),
                Field("cell_lon", "number", "Bujur pusat sel", "Longitude of the cell centre", "degree"),
                COUNT,
            ),
            "Hanya sel dengan sedikitnya {n} insiden; GeoJSON: poligon sel.",
            "Only cells with at least {n} incidents; GeoJSON: the cell polygons.",
        ),
    )
}


def dictionary(min_cell: int) -> dict[str, Any]:
    """The data dictionary: every dataset and field, the licence and the suppression rule."""
    return {
        "title": "Data terbuka Command Center 112 Kabupaten Banggai",
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "suppression": {"min_cell": min_cell, "rule": rule(min_cell)},
        "privacy": PRIVACY,
        "periods": {"default": "the last 12 full months", "month": "?month=YYYY-MM (a full month)"},
        "datasets": [
            {
                "name": d.name,
                "title": d.title_id,
                "title_en": d.title_en,
                "about": d.about_id.format(n=min_cell),
                "about_en": d.about_en.format(n=min_cell),
                "formats": list(d.formats),
                "links": {f: f"/opendata/{d.name}.{f}" for f in d.formats},
                "fields": [
                    {"name": f.name, "type": f.type, "unit": f.unit, "description": f.id, "description_en": f.en}
                    for f in d.fields
                ],
            }
            for d in DATASETS.values()
        ],
    }


def rule(min_cell: int) -> dict[str, str]:
    return {lang: text.format(n=min_cell, n1=min_cell - 1) for lang, text in SUPPRESSION_RULE.items()}
