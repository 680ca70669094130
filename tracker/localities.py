"""Provinces and communes from the `vietnam-provinces` package, with zero-padded GSO codes."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from vietnam_provinces import Province, Ward

from .enums import LocalityLevel
from .extensions import db
from .models import Locality

PROVINCE_PREFIX = {"tỉnh": "Tỉnh", "thành phố trung ương": "Thành phố"}


def province_display_name(name: str, division: str) -> str:
    """'Tỉnh X' / 'Thành phố X', as GLOSSARY.md asks (the package leaves the prefix off provinces)."""
    prefix = PROVINCE_PREFIX.get(division, "")
    return name if not prefix or name.startswith(prefix) else f"{prefix} {name}"


def province_code(number: int) -> str:
    return f"{number:02d}"


def commune_code(number: int) -> str:
    return f"{number:05d}"


def import_localities(progress: Callable[[int], None] = lambda n: None) -> tuple[int, int]:
    """Create or update every province and commune; returns (created, updated). Idempotent."""
    existing = {loc.code: loc for loc in db.session.scalars(select(Locality))}
    created = updated = 0

    def upsert(code: str, name: str, level: LocalityLevel, division: str, parent: Locality | None) -> Locality:
        nonlocal created, updated
        loc = existing.get(code)
        if loc is None:
            loc = Locality(code=code, name=name, level=level.value, division_type=division, parent=parent)
            db.session.add(loc)
            existing[code] = loc
            created += 1
        elif (loc.name, loc.level, loc.division_type, loc.parent_id) != (
                name, level.value, division, parent.id if parent else None):
            loc.name, loc.level, loc.division_type, loc.parent = name, level.value, division, parent
            updated += 1
        return loc

    provinces = {}
    for province in Province.iter_all():
        division = province.division_type.value
        provinces[province.code.value] = upsert(
            province_code(province.code.value), province_display_name(province.name, division),
            LocalityLevel.PROVINCE, division, None)
        progress(1)
    db.session.flush()
    for ward in Ward.iter_all():
        upsert(commune_code(ward.code.value), ward.name, LocalityLevel.COMMUNE, ward.division_type.value,
               provinces[ward.province_code.value])
        progress(1)
    db.session.flush()
    return created, updated


def total_count() -> int:
    return len(list(Province.iter_all())) + len(list(Ward.iter_all()))
