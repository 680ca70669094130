"""The pages `make bench` loads, the accounts that open them, and what a correct answer looks like."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

DOMAIN = "bench.gov.vn"
PASSWORD = "bench-password-1"
LEAD, TRIAGE = f"lanhdao@{DOMAIN}", f"phanloai@{DOMAIN}"
PROVINCE_HANOI, COMMUNE_HOAN_KIEM = f"tinh01@{DOMAIN}", f"xa00070@{DOMAIN}"
HOAN_KIEM = "00070"
FILING = {"category": "bien_che", "title": "Vướng mắc xác định biên chế công chức cấp xã sau sắp xếp",
          "description": "Đề nghị Bộ Nội vụ hướng dẫn cụ thể việc xác định biên chế.", "legal_basis": "",
          "urgency": "normal"}


@dataclass(frozen=True)
class Page:
    """A page people open all day and the account that opens it."""

    name: str
    email: str
    path: str
    form: dict | None = None  # a POST's fields; the CSRF token is added
    api: bool = False

    @property
    def method(self) -> str:
        return "POST" if self.form else "GET"

    @property
    def expected(self) -> tuple[int, ...]:
        """Filing answers with a redirect to the new obstacle; every other page with the page itself."""
        return (302, 303) if self.form else (200,)


def main_pages(reference: str) -> list[Page]:
    return [
        Page("tickets", LEAD, "/tickets"),
        Page("triage", TRIAGE, "/triage"),
        Page("province_new", PROVINCE_HANOI, "/tickets?province=01&status=new"),
        Page("commune", COMMUNE_HOAN_KIEM, "/tickets"),
        Page("ticket", TRIAGE, f"/tickets/{reference}"),
        Page("search", TRIAGE, "/tickets?q=" + quote("mật khẩu")),
        Page("api", TRIAGE, "/api/v1/tickets", api=True),
        Page("file", COMMUNE_HOAN_KIEM, "/tickets/new", form=FILING),
        Page("dashboard", LEAD, "/dashboard"),
        Page("dash_province", PROVINCE_HANOI, "/dashboard"),
        Page("stats", TRIAGE, "/api/v1/stats", api=True),
    ]
