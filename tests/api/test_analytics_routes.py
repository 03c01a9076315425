"""/v1/analytics: records (validation, ownership, listing) and the aggregate findings summary."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from chalicelib.core.settings import get_settings
from tests.api_client import Api, Session
from tests.images import drain_stream, ui_screenshot, upload_and_analyse


@pytest.fixture
def owner(api: Api) -> Session:
    return api.register()


def _create(api: Api, who: Session, data: Any, topic: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"data": data}
    if topic is not None:
        body["research_topic"] = topic
    reply = api.post("/v1/analytics", body, token=who.access_token)
    assert reply.status == 201, reply.body
    return dict(reply.data)


# records --------------------------------------------------------------------------------------


def test_create_read_update_delete(api: Api, owner: Session) -> None:
    data = {"task": "checkout", "seconds": 12.5, "steps": [1, 2, {"ok": True}], "note": None}
    entry = _create(api, owner, data, topic="Checkout flow")
    assert entry["entry_id"].startswith("ana_") and entry["user_id"] == owner.user_id
    assert entry["data"] == data and entry["research_topic"] == "Checkout flow"
    assert entry["created_at"] == entry["updated_at"]

    got = api.get(f"/v1/analytics/{entry['entry_id']}", token=owner.access_token)
    assert got.status == 200 and got.data == entry

    patched = api.patch(
        f"/v1/analytics/{entry['entry_id']}", {"data": {"v": 2}}, token=owner.access_token
    )
    assert patched.status == 200, patched.body
    assert patched.data["data"] == {"v": 2} and patched.data["research_topic"] == "Checkout flow"
    cleared = api.patch(
        f"/v1/analytics/{entry['entry_id']}", {"research_topic": None}, token=owner.access_token
    )
    assert cleared.data["research_topic"] is None and cleared.data["data"] == {"v": 2}

    gone = api.delete(f"/v1/analytics/{entry['entry_id']}", token=owner.access_token)
    assert gone.status == 200 and gone.data == {"entry_id": entry["entry_id"], "deleted": True}
    again = api.get(f"/v1/analytics/{entry['entry_id']}", token=owner.access_token)
    assert again.status == 404 and again.error_code == "ANALYTICS_ENTRY_NOT_FOUND"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "data"),
        ({"data": [1, 2]}, "data"),
        ({"data": "text"}, "data"),
        ({"data": {}, "research_topic": ""}, "research_topic"),
        ({"data": {}, "research_topic": "<script>"}, "research_topic"),
        ({"data": {}, "research_topic": "x" * 101}, "research_topic"),
        ({"data": {}, "extra": 1}, "extra"),
    ],
)
def test_create_validation(api: Api, owner: Session, body: dict[str, Any], field: str) -> None:
    reply = api.post("/v1/analytics", body, token=owner.access_token)
    assert reply.status == 422 and field in reply.body["details"], reply.body


def test_data_size_and_depth_limits(api: Api, owner: Session) -> None:
    limit = get_settings().analytics_max_data_bytes
    too_big = {"blob": "x" * limit}
    reply = api.post("/v1/analytics", {"data": too_big}, token=owner.access_token)
    assert reply.status == 422 and "data" in reply.body["details"]
    just_fits = {"blob": "x" * (limit - len('{"blob":""}'))}
    assert api.post("/v1/analytics", {"data": just_fits}, token=owner.access_token).status == 201
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(20):
        node["n"] = {}
        node = node["n"]
    reply = api.post("/v1/analytics", {"data": deep}, token=owner.access_token)
    assert reply.status == 422 and "levels" in str(reply.body["details"])


def test_data_round_trips_exactly(api: Api, owner: Session) -> None:
    data = {"pi": 3.141592653589793, "big": 12345678901234567890, "unicode": "Zoë ✓", "e": ""}
    entry = _create(api, owner, data)
    got = api.get(f"/v1/analytics/{entry['entry_id']}", token=owner.access_token).data
    assert got["data"] == data


def test_patch_validation(api: Api, owner: Session) -> None:
    entry = _create(api, owner, {"a": 1})
    path = f"/v1/analytics/{entry['entry_id']}"
    assert api.patch(path, {}, token=owner.access_token).status == 422
    assert api.patch(path, {"data": None}, token=owner.access_token).status == 422
    assert api.patch(path, {"user_id": "x"}, token=owner.access_token).status == 422


def test_entries_are_their_creators(api: Api, owner: Session) -> None:
    other = api.register()
    entry = _create(api, owner, {"secret": "owner-only"}, topic="private")
    path = f"/v1/analytics/{entry['entry_id']}"
    for reply in (
        api.get(path, token=other.access_token),
        api.patch(path, {"data": {"x": 1}}, token=other.access_token),
        api.delete(path, token=other.access_token),
    ):
        assert reply.status == 404 and reply.error_code == "ANALYTICS_ENTRY_NOT_FOUND"
    assert api.get(path, token=owner.access_token).data["data"] == {"secret": "owner-only"}
    listed = api.get("/v1/analytics", token=other.access_token).data
    assert listed == []
    forbidden = api.get(f"/v1/analytics?user_id={owner.user_id}", token=other.access_token)
    assert forbidden.status == 403 and owner.user_id not in json.dumps(forbidden.body)
    assert api.get("/v1/analytics?user_id=all", token=other.access_token).status == 403
    assert api.get(path, token=None).status == 401
    assert api.get("/v1/analytics/ana_doesnotexist", token=owner.access_token).status == 404
    assert api.get("/v1/analytics/../users/me", token=owner.access_token).status != 200


def test_admins_read_all_but_change_nothing(api: Api, owner: Session) -> None:
    entry = _create(api, owner, {"a": 1}, topic="t1")
    moderator = api.admin("moderator")
    path = f"/v1/analytics/{entry['entry_id']}"
    assert api.get(path, token=moderator.access_token).data["data"] == {"a": 1}
    assert api.patch(path, {"data": {}}, token=moderator.access_token).status == 404
    assert api.delete(path, token=moderator.access_token).status == 404
    theirs = api.get(f"/v1/analytics?user_id={owner.user_id}", token=moderator.access_token)
    assert [e["entry_id"] for e in theirs.data] == [entry["entry_id"]]
    _create(api, moderator, {"b": 2}, topic="t1")
    everyone = api.get("/v1/analytics?user_id=all&topic=t1", token=moderator.access_token)
    assert {e["user_id"] for e in everyone.data} == {owner.user_id, moderator.user_id}


def test_list_filters_by_topic_and_time_and_paginates(api: Api, owner: Session) -> None:
    made = [_create(api, owner, {"i": i}, topic="alpha" if i % 2 else "beta") for i in range(7)]
    everything = api.get("/v1/analytics?limit=3", token=owner.access_token)
    seen, cursor = list(everything.data), everything.body["pagination"]["next_cursor"]
    while cursor:
        page = api.get(f"/v1/analytics?limit=3&cursor={cursor}", token=owner.access_token)
        assert page.status == 200, page.body
        seen += page.data
        cursor = page.body["pagination"]["next_cursor"]
    # newest first; entries made within the same millisecond may come in either order
    assert sorted(e["entry_id"] for e in seen) == sorted(e["entry_id"] for e in made)
    stamps = [e["created_at"] for e in seen]
    assert stamps == sorted(stamps, reverse=True)

    alpha = api.get("/v1/analytics?topic=alpha", token=owner.access_token).data
    assert sorted(e["data"]["i"] for e in alpha) == [1, 3, 5]
    assert all(e["research_topic"] == "alpha" for e in alpha)

    since, until = made[2]["created_at"], made[5]["created_at"]
    window = api.get(f"/v1/analytics?since={since}&until={until}", token=owner.access_token).data
    assert {e["data"]["i"] for e in window} == {
        i for i, e in enumerate(made) if since <= e["created_at"] < until
    }
    assert window, "the window holds the entries made between the two"

    # a cursor is bound to its listing and its viewer
    first = api.get("/v1/analytics?limit=2&topic=alpha", token=owner.access_token)
    cursor = first.body["pagination"]["next_cursor"]
    assert cursor
    moved = api.get(f"/v1/analytics?limit=2&topic=beta&cursor={cursor}", token=owner.access_token)
    assert moved.status == 400 and moved.error_code == "INVALID_CURSOR"
    stolen = api.get(
        f"/v1/analytics?limit=2&topic=alpha&cursor={cursor}", token=api.register().access_token
    )
    assert stolen.status == 400


def test_list_query_validation(api: Api, owner: Session) -> None:
    for query in (
        "since=yesterday",
        "since=2026-11-25T00:00:00",
        "limit=0",
        "colour=red",
        "since=2026-11-25T00:00:00Z&until=2026-11-24T00:00:00Z",
    ):
        reply = api.get(f"/v1/analytics?{query}", token=owner.access_token)
        assert reply.status == 422, (query, reply.body)


def test_deleting_the_account_deletes_its_entries(api: Api, owner: Session) -> None:
    entry = _create(api, owner, {"a": 1})
    assert (
        api.delete("/v1/users/me", {"password": owner.password}, token=owner.access_token).status
        == 200
    )
    admin = api.superadmin()
    assert api.get(f"/v1/analytics/{entry['entry_id']}", token=admin.access_token).status == 404


# aggregate findings ---------------------------------------------------------------------------


def _png(draw_on: Any) -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (320, 200), "#ffffff")
    draw_on(ImageDraw.Draw(im))
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def _readable(draw: Any) -> None:
    for row in range(5):
        draw.text((10, 20 + row * 30), "Readable dark text on white", fill="#111111")


def _red_green(draw: Any) -> None:
    draw.rectangle([0, 0, 159, 120], fill="#cc0000")
    draw.rectangle([160, 0, 319, 120], fill="#008000")
    for row in range(3):
        draw.text((10, 130 + row * 20), "Pale label text on white", fill="#c8c8c8")


def _expected(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The figures, re-derived straight from the stored AnalysisResults."""
    failing_pairs: dict[tuple[str, str], list[int]] = {}
    colours: dict[str, int] = {}
    cvd: dict[str, int] = {}
    images_passing = text = text_passing = 0
    worst = []
    for image_id, doc in documents.items():
        found = doc["contrast"]["findings"]
        bad = [f for f in found if not f["passes"]["aa"]]
        text += len(found)
        text_passing += len(found) - len(bad)
        images_passing += not bad
        for pair in {(f["foreground"], f["background"]) for f in bad}:
            failing_pairs.setdefault(pair, [0, 0])[1] += 1
        for f in bad:
            failing_pairs[(f["foreground"], f["background"])][0] += 1
        worst += sorted((f["ratio"], image_id) for f in bad)[:5]
        for p in doc["palette"][:8]:
            colours[p["hex"]] = colours.get(p["hex"], 0) + 1
        for name, pairs in doc["cvd"]["confusable_pairs"].items():
            cvd[name] = cvd.get(name, 0) + len(pairs)
    return {
        "images_analysed": len(documents),
        "images_passing_aa": images_passing,
        "text_findings": text,
        "text_findings_passing_aa": text_passing,
        "pairs": {f"{fg} on {bg}": tuple(n) for (fg, bg), n in failing_pairs.items()},
        "worst": sorted(worst)[:10],
        "colours": colours,
        "cvd": cvd,
    }


@pytest.fixture
def analysed_set(api: Api, owner: Session) -> dict[str, Any]:
    images = {
        "grey": upload_and_analyse(api, owner, ui_screenshot(), tags=["mobile"]),
        "readable": upload_and_analyse(api, owner, _png(_readable), tags=["mobile", "web"]),
        "red-green": upload_and_analyse(api, owner, _png(_red_green), tags=["web"]),
    }
    assert all(i["status"] == "analyzed" for i in images.values()), images
    documents = {
        i["image_id"]: api.get(
            f"/v1/images/{i['image_id']}/analysis", token=owner.access_token
        ).data
        for i in images.values()
    }
    return {"images": images, "documents": documents}


def _check(summary: dict[str, Any], expected: dict[str, Any]) -> None:
    for key in (
        "images_analysed",
        "images_passing_aa",
        "text_findings",
        "text_findings_passing_aa",
    ):
        assert summary[key] == expected[key], key
    n = expected["images_analysed"]
    assert summary["share_images_passing_aa"] == round(expected["images_passing_aa"] / n, 4)
    pairs = {
        f"{p['foreground']} on {p['background']}": (p["findings"], p["images"])
        for p in summary["most_frequent_failing_pairs"]
    }
    assert pairs == expected["pairs"]
    counts = [p["findings"] for p in summary["most_frequent_failing_pairs"]]
    assert counts == sorted(counts, reverse=True)
    assert [(w["ratio"], w["image_id"]) for w in summary["worst_ratios"]] == expected["worst"]
    top = {c["hex"]: c["images"] for c in summary["most_used_colours"]}
    assert all(expected["colours"][h] == k for h, k in top.items())
    assert max(expected["colours"].values()) == summary["most_used_colours"][0]["images"]
    assert {c["deficiency"]: c["pairs"] for c in summary["cvd_risks"]} == expected["cvd"]


def test_summary_figures_on_a_known_set(
    api: Api, owner: Session, analysed_set: dict[str, Any]
) -> None:
    docs = analysed_set["documents"]
    summary = api.get("/v1/analytics/summary", token=owner.access_token).data
    _check(summary, _expected(docs))
    # the set was chosen to exercise every figure
    assert summary["images_analysed"] == 3 and 0 < summary["images_passing_aa"] < 3
    assert summary["most_frequent_failing_pairs"] and summary["worst_ratios"]
    assert summary["most_used_colours"][0] == {
        "hex": "#ffffff",
        "images": 3,
        "share": round(
            sum(
                p["fraction"]
                for d in docs.values()
                for p in d["palette"][:8]
                if p["hex"] == "#ffffff"
            )
            / 3,
            4,
        ),
    }
    assert summary["images_with_cvd_risk"] >= 1
    assert summary["scope"] == {"user_id": owner.user_id, "tag": None, "since": None, "until": None}


def test_summary_by_tag_and_time(api: Api, owner: Session, analysed_set: dict[str, Any]) -> None:
    images, docs = analysed_set["images"], analysed_set["documents"]
    web = {images[k]["image_id"] for k in ("readable", "red-green")}
    summary = api.get("/v1/analytics/summary?tag=Web", token=owner.access_token).data
    _check(summary, _expected({i: d for i, d in docs.items() if i in web}))
    since = images["readable"]["created_at"]
    until = images["red-green"]["created_at"]
    window = api.get(f"/v1/analytics/summary?since={since}&until={until}", token=owner.access_token)
    _check(
        window.data,
        _expected({images["readable"]["image_id"]: docs[images["readable"]["image_id"]]}),
    )
    empty = api.get("/v1/analytics/summary?since=2030-01-01T00:00:00Z", token=owner.access_token)
    assert empty.data["images_analysed"] == 0 and empty.data["share_images_passing_aa"] is None


def test_summary_follows_deletes_and_retags(
    api: Api, owner: Session, analysed_set: dict[str, Any]
) -> None:
    images, docs = analysed_set["images"], analysed_set["documents"]
    grey = images["grey"]["image_id"]
    api.patch(f"/v1/images/{grey}", {"tags": ["web"]}, token=owner.access_token)
    web = api.get("/v1/analytics/summary?tag=web", token=owner.access_token).data
    assert web["images_analysed"] == 3
    assert api.delete(f"/v1/images/{grey}", token=owner.access_token).status == 200
    rest = {i: d for i, d in docs.items() if i != grey}
    _check(api.get("/v1/analytics/summary", token=owner.access_token).data, _expected(rest))


def test_summary_is_per_user_and_admins_see_anyone_or_everyone(
    api: Api, owner: Session, analysed_set: dict[str, Any]
) -> None:
    other = api.register()
    theirs = upload_and_analyse(api, other, ui_screenshot())
    their_doc = api.get(f"/v1/images/{theirs['image_id']}/analysis", token=other.access_token).data
    mine = api.get("/v1/analytics/summary", token=owner.access_token).data
    assert mine["images_analysed"] == 3
    assert theirs["image_id"] not in json.dumps(mine)
    only_theirs = api.get("/v1/analytics/summary", token=other.access_token).data
    _check(only_theirs, _expected({theirs["image_id"]: their_doc}))
    assert (
        api.get(f"/v1/analytics/summary?user_id={owner.user_id}", token=other.access_token).status
        == 403
    )
    assert api.get("/v1/analytics/summary?user_id=all", token=other.access_token).status == 403

    moderator = api.admin("moderator")
    as_admin = api.get(
        f"/v1/analytics/summary?user_id={owner.user_id}", token=moderator.access_token
    )
    _check(as_admin.data, _expected(analysed_set["documents"]))
    drain_stream(api)  # everyone's figures are the running aggregates the stream keeps
    everyone = api.get("/v1/analytics/summary?user_id=all", token=moderator.access_token).data
    _check(everyone, _expected({**analysed_set["documents"], theirs["image_id"]: their_doc}))
    assert everyone["scope"]["user_id"] == "all"
    tagged = api.get("/v1/analytics/summary?user_id=all&tag=mobile", token=moderator.access_token)
    assert tagged.data["images_analysed"] == 2


def test_summary_export_csv_and_json(
    api: Api, owner: Session, analysed_set: dict[str, Any]
) -> None:
    summary = api.get("/v1/analytics/summary", token=owner.access_token).data
    as_json = api.get("/v1/analytics/summary/export?format=json", token=owner.access_token)
    assert as_json.status == 200 and as_json.headers["content-type"] == "application/json"
    assert "attachment" in as_json.headers["content-disposition"]
    assert as_json.body == summary
    as_csv = api.get("/v1/analytics/summary/export?format=csv", token=owner.access_token)
    assert as_csv.status == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.headers["content-disposition"].endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(as_csv.body)))
    totals = {r["metric"]: r["value"] for r in rows if r["section"] == "totals"}
    assert int(totals["images_analysed"]) == summary["images_analysed"] == 3
    assert int(totals["images_passing_aa"]) == summary["images_passing_aa"]
    pairs = [r for r in rows if r["section"] == "failing_pair" and r["metric"] == "findings"]
    assert [int(r["value"]) for r in pairs] == [
        p["findings"] for p in summary["most_frequent_failing_pairs"]
    ]
    colours = [r["subject"] for r in rows if r["section"] == "colour" and r["metric"] == "images"]
    assert colours == [c["hex"] for c in summary["most_used_colours"]]
    assert (
        api.get("/v1/analytics/summary/export?format=xml", token=owner.access_token).status == 422
    )


def test_summary_says_when_the_set_was_cut(
    api: Api, owner: Session, analysed_set: dict[str, Any], env: pytest.MonkeyPatch
) -> None:
    from chalicelib.core.settings import reset_settings

    env.setenv("JANUS_SUMMARY_MAX_IMAGES", "2")
    reset_settings()
    cut = api.get("/v1/analytics/summary", token=owner.access_token).data
    assert cut["truncated"] is True and cut["images_analysed"] == 2
    tagged = api.get("/v1/analytics/summary?tag=mobile", token=owner.access_token).data
    assert tagged["truncated"] is False and tagged["images_analysed"] == 2


IMAGES = 1000


def test_summary_of_a_full_quota_is_a_few_queries(api: Api, owner: Session) -> None:
    """1 000 analysed images (the default quota) are summarised with a handful of Query calls."""
    from chalicelib.core.ids import new_id, now_iso
    from chalicelib.services.findings import stored
    from chalicelib.store.dynamo import batch_write, serialize

    document = {
        "contrast": {
            "findings": [
                {
                    "bbox": [10, 10 + 20 * i, 100, 14],
                    "foreground": "#999999" if i % 3 else "#111111",
                    "background": "#ffffff",
                    "ratio": 2.85 if i % 3 else 18.9,
                    "large_text": False,
                    "passes": {"aa": not i % 3, "aaa": not i % 3},
                }
                for i in range(30)
            ]
        },
        "palette": [{"hex": f"#{i:02x}{i:02x}{i:02x}", "fraction": 0.1} for i in range(8)],
        "cvd": {"confusable_pairs": {"deuteranopia": [], "protanopia": []}},
    }
    findings = stored(document)
    now = now_iso()
    items = []
    for _ in range(IMAGES):
        image_id = new_id("img")
        items.append(
            {
                "PutRequest": {
                    "Item": serialize(
                        {
                            "image_id": image_id,
                            "user_id": owner.user_id,
                            "user_status": f"{owner.user_id}#analyzed",
                            "status": "analyzed",
                            "created_at": now,
                            "created_month": now[:7],
                            "tags": [],
                            "findings": findings,
                        }
                    )
                }
            }
        )
    batch_write(get_settings().images_table, items)
    start = len(api.calls.operations)
    summary = api.get("/v1/analytics/summary", token=owner.access_token).data
    calls = api.calls.since(start)
    assert summary["images_analysed"] == 1000 and summary["text_findings"] == 30_000
    assert summary["most_frequent_failing_pairs"][0]["findings"] == 20_000
    assert set(calls) <= {"BatchGetItem", "Query"} and calls.count("Query") <= 5, calls
    moderator = api.admin("moderator")
    drain_stream(api)
    start = len(api.calls.operations)
    everyone = api.get("/v1/analytics/summary?user_id=all", token=moderator.access_token).data
    calls = api.calls.since(start)
    assert everyone["images_analysed"] == 1000 and everyone["text_findings"] == 30_000
    assert {k: v for k, v in everyone.items() if k != "scope"} == {
        k: v for k, v in summary.items() if k != "scope"
    }
    # whole months from the running aggregates: one Query, however many images they hold
    assert calls == ["BatchGetItem", "Query"], calls
