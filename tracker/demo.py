"""Demo accounts and obstacles for trying the product on a laptop."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from .accounts import create_user
from .enums import Role
from .extensions import db
from .lookups import by_code
from .models import Category, Locality, Unit, User
from .tickets import file_ticket

DEMO_PASSWORD = "phanungnhanh2026"  # meets the password policy (passwords.py)

# (email, role, locality code, unit code, name)
DEMO_ACCOUNTS = [
    ("xa.hoankiem@demo.gov.vn", Role.COMMUNE, "00070", None, "Cán bộ Phường Hoàn Kiếm"),
    ("tinh.hanoi@demo.gov.vn", Role.PROVINCE, "01", None, "Điều phối viên TP Hà Nội"),
    ("phanloai@demo.gov.vn", Role.TRIAGE, None, "moha_van_phong", "Tổ phản ứng nhanh – Phân loại"),
    ("chuyenvien@demo.gov.vn", Role.SPECIALIST, None, "moha_tcbc", "Chuyên viên Vụ Tổ chức – Biên chế"),
    ("lanhdao@demo.gov.vn", Role.LEAD, None, "moha_van_phong", "Tổ trưởng Tổ phản ứng nhanh"),
    ("quantri@demo.gov.vn", Role.ADMIN, None, None, "Quản trị hệ thống"),
]

DEMO_TITLES = [
    "Vướng mắc xác định biên chế công chức cấp xã sau sắp xếp",
    "Chưa có hướng dẫn đánh giá, xếp loại cán bộ theo KPI",
    "Thiếu trụ sở làm việc cho Trung tâm phục vụ hành chính công",
    "Chế độ cho người nghỉ việc theo Nghị định 178/2024/NĐ-CP",
    "Phụ cấp của cán bộ không chuyên trách ở thôn, tổ dân phố",
    "Thẩm quyền cấp xã theo Nghị định 150/2025/NĐ-CP",
]


def ensure_demo_accounts() -> list[User]:
    """One account per role; existing ones are kept as they are."""
    users = []
    for email, role, locality_code, unit_code, name in DEMO_ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(email, role, name=name, password=DEMO_PASSWORD,
                               locality=by_code(Locality, locality_code), unit=by_code(Unit, unit_code))
        users.append(user)
    return users


def seed_tickets(count: int, seed: int = 2026) -> int:
    """Demo obstacles filed by communes of Hà Nội over the last weeks."""
    rng = random.Random(seed)
    filer = db.session.scalar(select(User).where(User.email == DEMO_ACCOUNTS[1][0]))
    province = filer.locality
    communes = db.session.scalars(select(Locality).where(Locality.parent_id == province.id)).all()
    categories = db.session.scalars(select(Category).where(Category.active.is_(True))).all()
    now = dt.datetime.now(dt.UTC)
    for _ in range(count):
        file_ticket(filer, locality=rng.choice(communes or [province]), category=rng.choice(categories),
                    title=rng.choice(DEMO_TITLES), description="Đề nghị Bộ Nội vụ hướng dẫn.",
                    legal_basis="Nghị định 150/2025/NĐ-CP", requested_urgency=rng.choice(["normal", "urgent"]),
                    now=now - dt.timedelta(hours=rng.randint(1, 24 * 60)))
    return count
