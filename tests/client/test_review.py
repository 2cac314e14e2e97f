"""The review session: checklist marks, verdicts and their history, storage across restarts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from seat_client.materials.values import MaterialRef
from seat_client.review.annotation_commands import AddShape
from seat_client.review.session import ReviewError, ReviewSession, ReviewStore, load_reasons
from seat_client.review.shapes import Mosaic, Rect
from seat_common import catalog

CATALOG = catalog.load()
ITEM = CATALOG.items["SI-CARD-APPLY"]  # needs id_card and photo_receipt


def ref(mid: str, code: str = "", wo: str = "WO-7") -> MaterialRef:
    return MaterialRef(mid, wo, Path(f"/tmp/{mid}.jpg"), "0" * 64, "image/jpeg", 4000, 3000,
                       1_000_000, f"{mid}.jpg", "citizen_upload", time.time(), code)


def session() -> ReviewSession:
    return ReviewSession("WO-7", ITEM, load_reasons())


def test_reason_codes_cover_the_usual_faults() -> None:
    names = {r.name for r in load_reasons()}
    expected = {"模糊不清", "信息不全/被遮挡", "证件过期", "非所需材料", "反光遮挡", "方向错误"}
    assert expected <= names


def test_the_checklist_is_the_items_materials_and_starts_unmarked() -> None:
    s = session()
    assert [m.code for m in s.checklist] == ["id_card", "photo_receipt"]
    assert s.unmarked() == ("id_card", "photo_receipt")
    with pytest.raises(ReviewError):
        s.build_verdict("0012")


def test_a_correction_needs_a_known_reason() -> None:
    s = session()
    with pytest.raises(ReviewError):
        s.mark("id_card", "to_correct")
    with pytest.raises(ReviewError):
        s.mark("id_card", "to_correct", "no_such_reason")
    with pytest.raises(ReviewError):
        s.mark("passport", "accepted")
    s.mark("id_card", "accepted", "glare", "ignored reason")
    assert s.marks["id_card"].reason_code == "", "only corrections carry a reason"


def test_verdict_lists_every_material_with_its_images_and_history_keeps_each() -> None:
    s = session()
    s.add_material(ref("m1", "id_card"))
    s.add_material(ref("m2"))
    assert s.images_for("id_card") == ("m1",)
    s.assign("m2", "photo_receipt")
    s.mark("id_card", "to_correct", "glare", " 请避开灯光 ")
    s.mark("photo_receipt", "accepted")
    first = s.decide("0012", now=1000.0)
    by_code = {v.material_code: v for v in first.verdicts}
    assert by_code["id_card"].status == "to_correct"
    assert by_code["id_card"].reason_code == "glare" and by_code["id_card"].note == "请避开灯光"
    assert by_code["photo_receipt"].material_ids == ("m2",)
    s.mark("id_card", "accepted")
    second = s.decide("0012", now=2000.0)
    assert s.history == [first, second]
    assert first.verdicts[0].status == "to_correct", "history keeps what was sent then"


def test_materials_of_another_work_order_are_refused() -> None:
    with pytest.raises(ReviewError):
        session().add_material(ref("m1", wo="WO-other"))


def test_only_annotated_or_turned_images_need_flattening() -> None:
    s = session()
    for mid in ("a", "b", "c"):
        s.add_material(ref(mid))
    s.stacks["a"].push(AddShape(Rect("r", 0, 0, 10, 10)))
    s.rotate("c", 1)
    assert s.annotated_material_ids() == ("a", "c")


def test_store_brings_back_annotations_marks_and_history_after_a_restart(tmp_path: Path) -> None:
    store = ReviewStore(tmp_path)
    s = session()
    s.add_material(ref("m1", "id_card"))
    s.stacks["m1"].push(AddShape(Mosaic("mo", 10, 10, 300, 40, 12)))
    s.rotate("m1", -1)
    s.mark("id_card", "to_correct", "expired", "有效期至2020年")
    s.mark("photo_receipt", "missing")
    s.decide("0012", now=5.0)
    path = store.save(s.to_json())
    assert path == tmp_path / "review" / "WO-7.json"

    again = session()
    again.restore(store.load("WO-7"))
    assert again.marks["id_card"].reason_code == "expired"
    assert [v.decided_at for v in again.history] == [5.0]
    again.add_material(ref("m1", "id_card"))  # the transport delivers it again after restart
    assert again.layers["m1"].shapes() == (Mosaic("mo", 10, 10, 300, 40, 12),)
    assert again.rotations["m1"] == 3
    assert not again.stacks["m1"].can_undo(), "undo history is per sitting, shapes are kept"
    again.stacks["m1"].push(AddShape(Rect("r", 0, 0, 5, 5)))
    again.stacks["m1"].undo()
    assert len(again.layers["m1"]) == 1


def test_store_refuses_file_names_from_hostile_ids_and_broken_files(tmp_path: Path) -> None:
    store = ReviewStore(tmp_path)
    for bad in ("../etc", "a/b", "", ".hidden"):
        with pytest.raises(ReviewError):
            store.path_for(bad)
    assert store.load("WO-none") is None
    (tmp_path / "review").mkdir()
    (tmp_path / "review" / "WO-7.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(ReviewError):
        store.load("WO-7")
    with pytest.raises(ReviewError):
        session().restore({"version": 1, "materials": {"m": {"annotations": [{"kind": "?"}]}}})
