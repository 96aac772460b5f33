"""The world a generated history lives in: seasons, hours, places, agencies' habits.

Shares come from the live simulator (contact classes, channels, the day/night incident mix,
kecamatan weights by population) and are bent by season: the rainy season (November–April)
brings floods, landslides, fallen trees and storms; the dry season brings wildland fires and
water outages. A few storm days per rainy season hit one or two kecamatan hard.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from cc112.training.simulator import (
    CHANNEL_WEIGHTS,
    CLASS_WEIGHTS,
    KECAMATAN_WEIGHT,
    TYPE_WEIGHTS_DAY,
    TYPE_WEIGHTS_NIGHT,
)

# Taxonomy types the live simulator leaves out, with small relative weights.
RARE_TYPES = {"kebakaran_kendaraan": 0.6, "kekerasan_anak": 0.3, "gempa_bumi": 0.15, "tsunami": 0.01,
              "cuaca_ekstrem": 0.5, "gangguan_lalu_lintas": 0.8, "krisis_kejiwaan": 0.5, "keracunan": 0.4,
              "bahan_berbahaya": 0.2, "orang_terlantar": 0.4}
RAINY_MONTHS = (11, 12, 1, 2, 3, 4)
RAINY = {"banjir": 3.0, "tanah_longsor": 3.0, "pohon_tumbang": 2.2, "cuaca_ekstrem": 2.5, "listrik_padam": 1.4,
         "kebakaran_lahan": 0.25, "kecelakaan_laut": 1.3}
DRY = {"kebakaran_lahan": 2.5, "banjir": 0.35, "tanah_longsor": 0.4, "pohon_tumbang": 0.7, "air_bersih": 1.8,
       "cuaca_ekstrem": 0.5}
PEAK_DRY_MONTHS = (8, 9, 10)  # burning season: wildland fires peak
PEAK_DRY = {"kebakaran_lahan": 5.0, "kebakaran_bangunan": 1.3, "air_bersih": 2.2}
STORM = {"banjir": 10.0, "tanah_longsor": 8.0, "pohon_tumbang": 6.0, "cuaca_ekstrem": 8.0, "listrik_padam": 2.5}
STORMS_PER_RAINY_SEASON = 6
STORM_DAY_VOLUME = 1.8

# Local hour of real incidents (quiet before dawn, busy mornings and evenings) and of false
# contacts (pranks peak after school and in the evening).
INCIDENT_HOURS = (2.0, 1.5, 1.2, 1.0, 1.0, 1.3, 2.2, 3.2, 4.0, 4.3, 4.5, 4.5,
                  4.3, 4.2, 4.2, 4.4, 4.8, 5.0, 5.0, 4.8, 4.3, 3.7, 3.0, 2.5)
FALSE_HOURS = (1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.2,
               3.5, 4.0, 4.5, 4.8, 5.0, 5.0, 5.2, 5.5, 5.0, 4.0, 2.8, 1.8)
WEEKDAY_VOLUME = (1.0, 0.97, 0.97, 1.0, 1.04, 1.1, 1.06)  # Monday … Sunday
NIGHT = frozenset((21, 22, 23, 0, 1, 2, 3, 4))

INCIDENT_SHARE = CLASS_WEIGHTS["emergency"]
OTHER_CLASSES = {k: v for k, v in CLASS_WEIGHTS.items() if k != "emergency"}
SUPPORT_SHARE = 0.35  # the simulator's share of support agencies asked along
PRIORITY_FACTOR = {1: 1.0, 2: 1.25, 3: 1.8, 4: 2.6}


@dataclass(frozen=True)
class Behaviour:
    """An agency's habits, as medians in seconds (log-normal spread sigma)."""

    ack: float
    ack_sigma: float
    turnout: float
    travel: float
    on_scene: float
    decline: float  # share of requests declined


BEHAVIOUR = {
    "PSC119": Behaviour(30, 0.6, 60, 780, 2400, 0.03),
    "DAMKAR": Behaviour(30, 0.5, 75, 660, 3600, 0.02),
    "POLRES": Behaviour(50, 0.8, 120, 900, 4800, 0.04),
    "SAR": Behaviour(45, 0.7, 240, 1200, 10800, 0.02),
    "BPBD": Behaviour(70, 0.8, 300, 1200, 14400, 0.03),
    "PLN": Behaviour(420, 0.8, 600, 2700, 7200, 0.05),
    "PDAM": Behaviour(1200, 0.9, 1800, 7200, 14400, 0.06),
    "PUPR": Behaviour(600, 0.9, 2400, 7200, 21600, 0.07),
    "DISHUB": Behaviour(300, 0.8, 300, 1500, 3600, 0.05),
    "SATPOLPP": Behaviour(360, 0.8, 300, 1200, 2700, 0.05),
    "DINSOS": Behaviour(400, 0.9, 1200, 3600, 10800, 0.05),
}
DEFAULT_BEHAVIOUR = Behaviour(600, 0.9, 900, 3600, 7200, 0.05)


def cumulative(weights: dict[str, float]) -> tuple[list[str], list[float]]:
    keys = list(weights)
    return keys, list(accumulate(weights[k] for k in keys))


def type_weights(type_codes: list[str], *, month: int, night: bool, storm: bool) -> dict[str, float]:
    """Relative weight of each incident type at this month, hour and weather."""
    base = {**RARE_TYPES, **(TYPE_WEIGHTS_NIGHT if night else TYPE_WEIGHTS_DAY)}
    out = {}
    for code in type_codes:
        w = base.get(code, 0.2)
        if month in RAINY_MONTHS:
            w *= RAINY.get(code, 1.0)
        else:
            w *= DRY.get(code, 1.0)
            if month in PEAK_DRY_MONTHS:
                w *= PEAK_DRY.get(code, 1.0)
        if storm:
            w *= STORM.get(code, 1.0)
        out[code] = w
    return out


@dataclass
class Day:
    first: float  # epoch of local midnight
    local: date
    weight: float
    storm_kecamatan: tuple[int, ...] = ()  # indexes into the kecamatan list; empty = no storm


def calendar(first_day: date, last_day: date, *, offset_s: int, rng: random.Random, kecamatan: int) -> list[Day]:
    """Every local day of the history with its relative volume; storms in the rainy season."""
    n = (last_day - first_day).days + 1
    days = []
    for i in range(n):
        d = first_day + timedelta(days=i)
        midnight = (d - date(1970, 1, 1)).days * 86400 - offset_s
        growth = 0.7 + 0.6 * (i / max(1, n - 1))  # 112 becomes better known every year
        season = 1.08 if d.month in RAINY_MONTHS else 1.0
        days.append(Day(float(midnight), d, growth * season * WEEKDAY_VOLUME[d.weekday()]))
    rainy = [day for day in days if day.local.month in RAINY_MONTHS]
    seasons = max(1, round(len(rainy) / 181))
    for day in rng.sample(rainy, min(len(rainy), STORMS_PER_RAINY_SEASON * seasons)) if rainy else []:
        day.storm_kecamatan = tuple(rng.sample(range(kecamatan), min(kecamatan, rng.choice((1, 1, 2)))))
        day.weight *= STORM_DAY_VOLUME
    return days


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return math.exp(rng.gauss(math.log(median), sigma))


__all__ = ["BEHAVIOUR", "CHANNEL_WEIGHTS", "DEFAULT_BEHAVIOUR", "FALSE_HOURS", "INCIDENT_HOURS",
           "INCIDENT_SHARE", "KECAMATAN_WEIGHT", "NIGHT", "OTHER_CLASSES", "PRIORITY_FACTOR", "SUPPORT_SHARE",
           "Behaviour", "Day", "calendar", "cumulative", "lognormal", "type_weights"]
