"""The report routes on moto: who may open a report, signed links, and what the page holds."""

from __future__ import annotations

import re
from typing import Any

import pytest

from chalicelib.core.ids import epoch_seconds
from chalicelib.services import report
from tests.api_client import Api, Session
from tests.corpus import corpus_bytes
from tests.images import announce, upload_and_analyse


@pytest.fixture
def owner(api: Api) -> Session:
    return api.register()


@pytest.fixture
def analysed(api: Api, owner: Session) -> dict[str, Any]:
    data = corpus_bytes("bs-login.png")
    image = upload_and_analyse(api, owner, data, title="Login <page> & co", tags=["web"])
    assert image["status"] == "analyzed", image
    document = api.get(f"/v1/images/{image['image_id']}/analysis", token=owner.access_token).data
    return {"image": image, "document": document}


def _boxes(page: str) -> list[tuple[int, str, list[int]]]:
    return [
        (int(n), status, [int(v) for v in bbox.split(",")])
        for n, status, bbox in re.findall(
            r'data-finding="(\d+)" data-status="(\w+)" data-bbox="([\d,]+)"', page
        )
    ]


def test_owner_gets_a_self_contained_page(
    api: Api, owner: Session, analysed: dict[str, Any]
) -> None:
    image_id = analysed["image"]["image_id"]
    reply = api.get(f"/v1/images/{image_id}/report", token=owner.access_token)
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    csp = reply.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "img-src data:" in csp and "unsafe-inline" not in csp
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and f'<style nonce="{nonce.group(1)}">' in reply.body
    assert reply.headers["cache-control"] == "no-store"
    page: str = reply.body
    assert page.startswith("<!doctype html>") and '<html lang="en">' in page
    # no external requests: every src/href is a data: URI or an in-page anchor
    for attr, value in re.findall(r'\b(src|href)="([^"]*)"', page):
        assert value.startswith(("data:", "#")), (attr, value[:60])
    assert "url(" not in page and "@import" not in page
    # user text is escaped
    assert "Login &lt;page&gt; &amp; co" in page and "<page>" not in page
    # every finding is outlined, in order, with its pass/fail state
    findings = analysed["document"]["contrast"]["findings"]
    assert _boxes(page) == [
        (n, "pass" if f["passes"]["aa"] else "fail", list(f["bbox"]))
        for n, f in enumerate(findings, 1)
    ]
    failing = [f for f in findings if not f["passes"]["aa"]]
    assert page.count('<tr class="finding-row">') == len(findings) + len(failing)
    for entry in analysed["document"]["palette"]:
        assert f"<code>{entry['hex']}</code>" in page
    for name in ("protanopia", "deuteranopia", "tritanopia", "achromatopsia"):
        assert f"as seen with {name}" in page
    assert page.count('src="data:image/webp;base64,') == 6
    assert 'id="code-css"' in page and 'id="code-dtcg"' in page and "data-copy=" in page


def test_who_may_open_a_report(api: Api, owner: Session, analysed: dict[str, Any]) -> None:
    path = f"/v1/images/{analysed['image']['image_id']}/report"
    assert api.get(path).status == 401
    stranger = api.get(path, token=api.register().access_token)
    assert stranger.status == 404 and stranger.error_code == "IMAGE_NOT_FOUND"
    assert api.get(path, token=api.admin("moderator").access_token).status == 200
    pending = announce(api, owner, b"x" * 100)["image"]["image_id"]
    not_ready = api.get(f"/v1/images/{pending}/report", token=owner.access_token)
    assert not_ready.status == 409 and not_ready.error_code == "ANALYSIS_NOT_READY"
    assert api.get("/v1/images/img_nope/report", token=owner.access_token).status == 404


def test_signed_link_opens_without_a_token(
    api: Api, owner: Session, analysed: dict[str, Any]
) -> None:
    image_id = analysed["image"]["image_id"]
    made = api.post(
        f"/v1/images/{image_id}/report-link", {"ttl_seconds": 600}, token=owner.access_token
    )
    assert made.status == 201, made.body
    link = made.data
    assert link["expires_in"] == 600 and link["url"].endswith(link["path"])
    assert link["path"].startswith(f"/v1/shared/reports/{image_id}?expires=")
    opened = api.get(link["path"])
    assert opened.status == 200 and opened.headers["content-type"].startswith("text/html")
    assert len(_boxes(opened.body)) == len(analysed["document"]["contrast"]["findings"])
    assert opened.headers["referrer-policy"] == "no-referrer"


def test_signed_links_cannot_be_forged_moved_or_extended(
    api: Api, owner: Session, analysed: dict[str, Any]
) -> None:
    image_id = analysed["image"]["image_id"]
    path = api.post(f"/v1/images/{image_id}/report-link", token=owner.access_token).data["path"]
    expires = int(re.search(r"expires=(\d+)", path).group(1))  # type: ignore[union-attr]
    signature = re.search(r"signature=([\w-]+)", path).group(1)  # type: ignore[union-attr]
    extended = api.get(
        f"/v1/shared/reports/{image_id}?expires={expires + 3600}&signature={signature}"
    )
    assert extended.status == 403 and extended.error_code == "REPORT_LINK_INVALID"
    other = upload_and_analyse(api, owner, corpus_bytes("water-doc.png"))["image_id"]
    moved = api.get(f"/v1/shared/reports/{other}?expires={expires}&signature={signature}")
    assert moved.status == 403
    garbage = api.get(f"/v1/shared/reports/{image_id}?expires={expires}&signature=AAAA")
    assert garbage.status == 403
    assert api.get(f"/v1/shared/reports/{image_id}").status == 422
    past = epoch_seconds() - 5
    expired = api.get(report.shared_path(image_id, owner.user_id, past))
    assert expired.status == 410 and expired.error_code == "REPORT_LINK_EXPIRED"
    # the link dies with the image
    assert api.delete(f"/v1/images/{image_id}", token=owner.access_token).status == 200
    assert api.get(path).status == 404


def test_only_the_owner_makes_links(api: Api, owner: Session, analysed: dict[str, Any]) -> None:
    image_id = analysed["image"]["image_id"]
    moderator = api.admin("moderator")
    assert (
        api.post(f"/v1/images/{image_id}/report-link", token=moderator.access_token).status == 404
    )
    assert (
        api.post(f"/v1/images/{image_id}/report-link", token=api.register().access_token).status
        == 404
    )
    too_long = api.post(
        f"/v1/images/{image_id}/report-link", {"ttl_seconds": 10**9}, token=owner.access_token
    )
    assert too_long.status == 201 and too_long.data["expires_in"] == 24 * 3600
    assert (
        api.post(
            f"/v1/images/{image_id}/report-link", {"ttl_seconds": 5}, token=owner.access_token
        ).status
        == 422
    )


def test_suggested_fix_reaches_aa() -> None:
    fix = report.suggested_fix("#b0b0b0", "#ffffff")
    assert fix is not None and report.contrast_ratio(fix, "#ffffff") >= 4.5
    assert report.contrast_ratio("#b0b0b0", "#ffffff") < report.contrast_ratio(fix, "#ffffff")
    assert round(report.contrast_ratio("#000000", "#ffffff"), 2) == 21.0
    dark = report.suggested_fix("#333333", "#1b1b1b")
    assert dark is not None and report.contrast_ratio(dark, "#1b1b1b") >= 4.5


def test_reports_of_images_analysed_before_reports_existed(
    api: Api, owner: Session, analysed: dict[str, Any]
) -> None:
    from chalicelib.store import objects

    image_id = analysed["image"]["image_id"]
    objects.delete_prefix(objects.analysis_prefix(owner.user_id, image_id) + "report/")
    page = api.get(f"/v1/images/{image_id}/report", token=owner.access_token).body
    assert 'src="data:image/jpeg;base64,' in page and "Re-analyse it" in page
    assert "data:image/webp" not in page and "Simulations are not available" in page
    assert len(_boxes(page)) == len(analysed["document"]["contrast"]["findings"])


def test_link_urls_name_the_host_the_caller_used(
    api: Api, owner: Session, analysed: dict[str, Any]
) -> None:
    path = f"/v1/images/{analysed['image']['image_id']}/report-link"
    local = api.post(path, token=owner.access_token, headers={"Host": "127.0.0.1:8000"}).data
    assert local["url"] == "http://127.0.0.1:8000" + local["path"]
    gateway = "abc123.execute-api.us-east-1.amazonaws.com"
    deployed = api.post(path, token=owner.access_token, headers={"Host": gateway}).data
    assert deployed["url"].startswith(f"https://{gateway}/")
    assert deployed["url"].endswith(deployed["path"])


def test_ratios_the_pixels_cannot_pin_down_are_shown_as_a_range(api: Api, owner: Session) -> None:
    """A downscaled screenshot's thin text: the report gives the range the ratio may lie in,
    next to the estimate, so nobody reads the estimate as exact."""
    data = corpus_bytes("variants/bs-login-s60.png")
    image = upload_and_analyse(api, owner, data, title="Login, resized")
    assert image["status"] == "analyzed", image
    image_id = image["image_id"]
    document = api.get(f"/v1/images/{image_id}/analysis", token=owner.access_token).data
    ranged = [f for f in document["contrast"]["findings"] if f["ratio_range"]]
    assert ranged
    page: str = api.get(f"/v1/images/{image_id}/report", token=owner.access_token).body
    for f in ranged:
        low, high = f["ratio_range"]
        assert low <= f["ratio"] <= high
        assert f"(between {low:.2f} and {high:.2f}: thin text in a resized image" in page
    assert page.count("thin text in a resized image") >= len(ranged)
    # A range that crosses the AA threshold leaves the verdict open, and the report says so.
    uncertain = [f for f in ranged if f["aa_uncertain"]]
    assert uncertain
    for f in uncertain:
        needed = 3.0 if f["large_text"] else 4.5
        assert f["ratio_range"][0] < needed <= f["ratio_range"][1]
    assert page.count("(not certain: its range crosses") >= len(uncertain)
