"""The local incident-type taxonomy (Bahasa Indonesia / English) and its routing.

Each entry: code, name (id), name (en), default priority (1 highest), APCO common incident
type (ANS 2.103.1 code list), CAP 1.2 category, primary agencies, support agencies,
keywords for type-ahead and SMS, public (offered to citizens), sensitive (hide address).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TypeSpec:
    code: str
    name_id: str
    name_en: str
    priority: int
    apco: str
    cap: str
    primary: tuple[str, ...]
    support: tuple[str, ...] = ()
    keywords: tuple[str, ...] = field(default_factory=tuple)
    public: bool = True
    sensitive: bool = False


TAXONOMY: tuple[TypeSpec, ...] = (
    TypeSpec("kebakaran_bangunan", "Kebakaran bangunan", "Structure fire", 1, "FIRESTRUC", "Fire",
             ("DAMKAR",), ("PSC119", "POLRES", "PLN"), ("kebakaran", "api", "terbakar", "rumah")),
    TypeSpec("kebakaran_lahan", "Kebakaran hutan/lahan", "Wildland fire", 2, "FIREWILD", "Fire",
             ("DAMKAR", "BPBD"), ("POLRES",), ("karhutla", "lahan", "hutan", "asap")),
    TypeSpec("kebakaran_kendaraan", "Kebakaran kendaraan", "Vehicle fire", 2, "FIREVEH", "Fire",
             ("DAMKAR",), ("POLRES", "PSC119"), ("mobil terbakar", "motor terbakar")),
    TypeSpec("kecelakaan_lalu_lintas", "Kecelakaan lalu lintas", "Traffic accident", 1, "MVAINJY",
             "Transport", ("POLRES", "PSC119"), ("DISHUB", "DAMKAR"),
             ("kecelakaan", "tabrakan", "laka", "lakalantas")),
    TypeSpec("kegawatan_medis", "Kegawatdaruratan medis", "Medical emergency", 1, "SICK", "Health",
             ("PSC119",), (), ("sakit", "pingsan", "sesak", "ambulans", "medis")),
    TypeSpec("henti_jantung", "Henti jantung / tidak sadar", "Cardiac arrest / unconscious", 1,
             "CARDIAC", "Health", ("PSC119",), ("DAMKAR",), ("jantung", "tidak sadar", "henti napas")),
    TypeSpec("darurat_ibu_hamil", "Kegawatan ibu hamil / persalinan", "Maternal emergency", 1,
             "PREG", "Health", ("PSC119",), (),
             ("hamil", "melahirkan", "persalinan", "pendarahan", "dering ibu hamil")),
    TypeSpec("kriminalitas", "Tindak kejahatan", "Crime in progress", 1, "CRIMIN", "Security",
             ("POLRES",), ("PSC119",), ("pencurian", "perampokan", "begal", "kejahatan")),
    TypeSpec("penganiayaan", "Penganiayaan / perkelahian", "Assault / fight", 1, "ASSAULT", "Security",
             ("POLRES",), ("PSC119",), ("pukul", "berkelahi", "tawuran", "senjata tajam")),
    TypeSpec("kdrt", "Kekerasan dalam rumah tangga", "Domestic violence", 1, "DVA", "Security",
             ("POLRES",), ("DINSOS", "PSC119"), ("kdrt", "kekerasan", "suami", "istri", "anak"),
             sensitive=True),
    TypeSpec("kekerasan_anak", "Kekerasan terhadap anak", "Child abuse", 1, "ABUSE", "Security",
             ("POLRES", "DINSOS"), ("PSC119",), ("anak", "pelecehan", "kekerasan anak"), sensitive=True),
    TypeSpec("banjir", "Banjir", "Flood", 2, "FLOOD", "Met", ("BPBD",), ("DAMKAR", "SAR", "DINSOS", "PUPR"),
             ("banjir", "air naik", "genangan", "luapan")),
    TypeSpec("tanah_longsor", "Tanah longsor", "Landslide", 1, "LANDSLIDE", "Geo", ("BPBD",),
             ("SAR", "PUPR", "PSC119"), ("longsor", "tanah", "tebing")),
    TypeSpec("gempa_bumi", "Gempa bumi", "Earthquake", 1, "EARTHQ", "Geo", ("BPBD",),
             ("SAR", "PSC119", "DAMKAR", "DINSOS"), ("gempa", "goyang", "retak")),
    TypeSpec("tsunami", "Tsunami", "Tsunami", 1, "TSUNAMI", "Geo", ("BPBD",),
             ("SAR", "POLRES", "PSC119", "DINSOS"), ("tsunami", "air laut surut", "gelombang")),
    TypeSpec("cuaca_ekstrem", "Cuaca ekstrem / angin kencang", "Extreme weather / storm", 2, "WEATHER",
             "Met", ("BPBD",), ("PLN", "PUPR"), ("angin", "puting beliung", "badai", "hujan deras")),
    TypeSpec("orang_hilang", "Orang hilang", "Missing person", 2, "PERMISS", "Rescue", ("POLRES",),
             ("SAR",), ("hilang", "tidak pulang", "dicari")),
    TypeSpec("kecelakaan_laut", "Kecelakaan laut / orang tenggelam", "Sea accident / drowning", 1,
             "DROWN", "Rescue", ("SAR",), ("POLRES", "PSC119"),
             ("tenggelam", "perahu", "kapal", "hanyut", "laut")),
    TypeSpec("pohon_tumbang", "Pohon tumbang", "Fallen tree", 3, "THAZ", "Infra", ("BPBD",),
             ("DAMKAR", "PLN", "PUPR"), ("pohon", "tumbang", "menghalangi jalan")),
    TypeSpec("listrik_padam", "Listrik padam / kabel putus", "Power outage / downed line", 3, "ELECHAZ",
             "Infra", ("PLN",), ("DAMKAR",), ("listrik", "padam", "kabel", "tiang listrik")),
    TypeSpec("air_bersih", "Gangguan air bersih", "Water outage", 4, "UTILITY", "Infra", ("PDAM",), (),
             ("air mati", "pdam", "pipa bocor")),
    TypeSpec("jalan_rusak", "Jalan / jembatan rusak", "Road or bridge damage", 3, "THAZ", "Infra",
             ("PUPR",), ("DISHUB", "BPBD"), ("jalan", "jembatan", "lubang", "putus")),
    TypeSpec("gangguan_lalu_lintas", "Gangguan lalu lintas", "Traffic hazard / congestion", 3, "TRAFFIC",
             "Transport", ("DISHUB",), ("POLRES",), ("macet", "lampu merah", "parkir")),
    TypeSpec("hewan_berbahaya", "Hewan berbahaya / evakuasi hewan", "Dangerous animal / animal rescue", 3,
             "ANIMAL", "Safety", ("DAMKAR",), ("BPBD",), ("ular", "buaya", "anjing", "sarang tawon")),
    TypeSpec("gangguan_ketertiban", "Gangguan ketertiban umum", "Public disturbance", 3, "DISORD",
             "Security", ("SATPOLPP",), ("POLRES",), ("ribut", "mabuk", "keributan", "pengamen")),
    TypeSpec("krisis_kejiwaan", "Krisis kejiwaan / ancaman bunuh diri", "Mental-health crisis / suicide threat",
             1, "SUICTHRT", "Health", ("PSC119",), ("POLRES", "DINSOS"),
             ("bunuh diri", "odgj", "gangguan jiwa", "mengamuk"), sensitive=True),
    TypeSpec("keracunan", "Keracunan", "Poisoning", 1, "POISONING", "Health", ("PSC119",), (),
             ("keracunan", "racun", "makanan")),
    TypeSpec("bahan_berbahaya", "Kebocoran gas / bahan berbahaya", "Gas leak / hazardous materials", 1,
             "HAZMAT", "CBRNE", ("DAMKAR",), ("BPBD", "PSC119", "POLRES"),
             ("gas", "bocor", "elpiji", "kimia")),
    TypeSpec("orang_terlantar", "Orang terlantar / butuh bantuan sosial", "Person in need of social aid", 4,
             "CITASST", "Other", ("DINSOS",), (), ("terlantar", "gelandangan", "lansia", "bantuan")),
)
