from sqlalchemy import func, select

from tracker.enums import LocalityLevel
from tracker.localities import import_localities
from tracker.models import Locality


def count(db, level):
    return db.session.scalar(select(func.count(Locality.id)).where(Locality.level == level))


def test_import_creates_34_provinces_and_3321_communes_with_padded_codes(db):
    created, updated = import_localities()
    db.session.commit()
    assert (created, updated) == (34 + 3321, 0)
    assert count(db, LocalityLevel.PROVINCE) == 34
    assert count(db, LocalityLevel.COMMUNE) == 3321
    hanoi = db.session.scalar(select(Locality).where(Locality.code == "01"))
    hoan_kiem = db.session.scalar(select(Locality).where(Locality.code == "00070"))
    assert hanoi.name == "Thành phố Hà Nội"
    assert hoan_kiem.name == "Phường Hoàn Kiếm" and hoan_kiem.parent_id == hanoi.id
    # 4 is both the province Cao Bằng and Phường Ba Đình: the padding keeps them apart.
    assert db.session.scalar(select(Locality.name).where(Locality.code == "04")) == "Tỉnh Cao Bằng"
    assert db.session.scalar(select(Locality.name).where(Locality.code == "00004")) == "Phường Ba Đình"
    orphans = select(func.count(Locality.id)).where(Locality.level == "commune", Locality.parent_id.is_(None))
    assert db.session.scalar(orphans) == 0


def test_import_is_idempotent_and_repairs_edited_names(db):
    import_localities()
    db.session.commit()
    hoan_kiem = db.session.scalar(select(Locality).where(Locality.code == "00070"))
    hoan_kiem.name = "Sai tên"
    db.session.commit()
    assert import_localities() == (0, 1)
    db.session.commit()
    assert db.session.scalar(select(func.count(Locality.id))) == 34 + 3321
    db.session.refresh(hoan_kiem)
    assert hoan_kiem.name == "Phường Hoàn Kiếm"


def test_cli_import_reports_counts(app, db):
    result = app.test_cli_runner().invoke(args=["localities", "import"])
    assert result.exit_code == 0, result.output
    assert "3355 created" in result.output
    result = app.test_cli_runner().invoke(args=["localities", "import"])
    assert "0 created, 0 updated" in result.output
