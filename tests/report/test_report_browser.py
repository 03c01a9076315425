"""The report of a corpus image in headless Chromium: screenshots saved as test artefacts, the
outlined findings match the stored analysis, the page makes no request of its own, and axe-core
finds no violation, on a desktop and on a phone-sized screen."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.api_client import Api
from tests.corpus import corpus_bytes
from tests.images import upload_and_analyse
from tests.report import browser

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "test-artifacts"
CORPUS_IMAGE = "bs-login"

_BOXES = """(() => {
  const stage = document.querySelector('.stage').getBoundingClientRect();
  const img = document.querySelector('.stage img');
  const sx = stage.width / Number(img.getAttribute('width'));
  const sy = stage.height / Number(img.getAttribute('height'));
  return {
    loaded: img.complete && img.naturalWidth > 0,
    scale: [sx, sy],
    boxes: [...document.querySelectorAll('.box')].map((b) => {
      const r = b.getBoundingClientRect();
      return {
        number: Number(b.dataset.finding),
        status: b.dataset.status,
        bbox: b.dataset.bbox.split(',').map(Number),
        rect: [r.left - stage.left, r.top - stage.top, r.width, r.height],
        border: getComputedStyle(b).borderTopStyle,
        label: b.textContent,
      };
    }),
    images: [...document.images].map((i) => i.complete && i.naturalWidth > 0),
    copyButtons: [...document.querySelectorAll('button[data-copy]')].filter((b) => !b.hidden).length,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
})()"""

_TOGGLES = """(() => {
  const shown = (el) => getComputedStyle(el).display !== 'none';
  const numbers = document.getElementById('show-pass-numbers');
  if (numbers.checked) numbers.click();
  const failNumbered = shown(document.querySelector('.box.fail .tag'));
  numbers.click();
  const passNumberedAfterAsking = shown(document.querySelector('.box.pass .tag'));
  const outlines = document.getElementById('show-outlines');
  outlines.click();
  const hiddenWithoutOutlines = [...document.querySelectorAll('.box')].every((b) => !shown(b));
  outlines.click();
  return {failNumbered, passNumberedAfterAsking, hiddenWithoutOutlines};
})()"""

_AXE = """axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations.map((v) => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ': ' + n.failureSummary),
})))"""


@pytest.fixture(scope="session")
def chromium() -> str:
    try:
        return browser.ensure_chromium()
    except browser.Unavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def axe_source() -> str:
    try:
        return browser.ensure_axe()
    except browser.Unavailable as exc:
        pytest.skip(str(exc))


class _Site:
    """Serves one page on 127.0.0.1 with the headers the API sent (so its CSP applies)."""

    def __init__(self, body: str, headers: dict[str, str]) -> None:
        payload, sent = body.encode(), headers

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/report":
                    self.send_error(404)
                    return
                self.send_response(200)
                for name in ("content-type", "content-security-policy", "referrer-policy"):
                    self.send_header(name, sent[name])
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/report"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def chrome(chromium: str) -> Iterator[browser.Browser]:
    b = browser.Browser(chromium)
    try:
        yield b
    finally:
        b.close()


def test_report_in_a_browser(api: Api, chrome: browser.Browser, axe_source: str) -> None:
    owner = api.register()
    image = upload_and_analyse(api, owner, corpus_bytes(f"{CORPUS_IMAGE}.png"))
    assert image["status"] == "analyzed", image
    image_id = image["image_id"]
    document = api.get(f"/v1/images/{image_id}/analysis", token=owner.access_token).data
    findings = document["contrast"]["findings"]
    assert any(not f["passes"]["aa"] for f in findings) and any(f["passes"]["aa"] for f in findings)
    link = api.post(f"/v1/images/{image_id}/report-link", token=owner.access_token).data
    reply = api.get(link["path"])  # what a designer's browser gets from the signed link
    assert reply.status == 200
    site = _Site(reply.body, reply.headers)
    try:
        for label, width, height, mobile in (
            ("desktop", 1280, 900, False),
            ("phone", 390, 844, True),
        ):
            page = browser.Page(chrome, width=width, height=height, mobile=mobile)
            page.open(site.url)
            seen = page.evaluate(_BOXES)
            page.screenshot(ARTEFACTS / f"report-{CORPUS_IMAGE}-{label}.png")
            where = f"{label}: "

            # every image decoded from its data: URI, and nothing was fetched but the page
            assert seen["loaded"] and all(seen["images"]), where + str(seen["images"])
            assert [u for u in page.requested_urls() if not u.startswith("data:")] == [site.url]
            assert page.console_errors() == [], where + str(page.console_errors())
            assert seen["copyButtons"] >= 2, where + "copy buttons are shown when scripts run"
            assert seen["overflow"] <= 0, (
                where + f"the page scrolls sideways by {seen['overflow']}px"
            )

            # the outlined findings are the stored analysis's, where the analysis put them
            assert [b["number"] for b in seen["boxes"]] == list(range(1, len(findings) + 1))
            sx, sy = seen["scale"]
            for box, finding in zip(seen["boxes"], findings, strict=True):
                expected = "pass" if finding["passes"]["aa"] else "fail"
                assert box["status"] == expected, where + str(box)
                assert box["bbox"] == list(finding["bbox"]), where + str(box)
                x, y, w, h = finding["bbox"]
                thinnest = 6 if expected == "fail" else 4  # a box is never thinner than its borders
                want = (x * sx, y * sy, max(w * sx, thinnest), max(h * sy, thinnest))
                for got, exact in zip(box["rect"], want, strict=True):
                    assert abs(got - exact) <= 1.0, where + f"{box} vs {finding['bbox']}"
                # failing and passing differ by more than colour: line style and mark
                assert box["border"] == ("dashed" if expected == "fail" else "solid"), where + str(
                    box
                )
                assert box["label"].startswith("✗" if expected == "fail" else "✓"), where + str(box)
                assert box["label"].endswith(str(box["number"])), where + str(box)

            # the outline controls work without any script of the page's own
            toggles = page.evaluate(_TOGGLES)
            assert toggles == {
                "failNumbered": True,
                "passNumberedAfterAsking": True,
                "hiddenWithoutOutlines": True,
            }, where + str(toggles)

            # and the page itself is accessible
            page.evaluate(axe_source)
            violations = page.evaluate(_AXE)
            assert violations == [], where + str(violations)
    finally:
        site.close()
