"""The citizen web page in the demo's screenshots: an older citizen's phone (390×844) in
Chromium, choosing an item in the standard and the large-text page (大字版), and waiting
in the large-text queue, saved as ``07-page-*.png`` beside the workstation's.

``scripts/demo.py`` calls ``page_screenshots`` once the workstation is done; the after-call
summary, screen sharing and the rest of a call from the citizen's side are
``demo_citizen.py``'s (``08``–``13``). Run alone against a hub:
``.venv/bin/python scripts/demo_page.py ws://127.0.0.1:PORT/ws out/demo``.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from playwright.async_api import async_playwright

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}


def page_screenshots(hub_url: str, out: Path, item: str = "SI-PENSION-CERT") -> list[Path]:
    """Screenshots of the page's first steps; none (and a line on stderr) without Chromium."""
    if not CHROMIUM.exists():
        print("demo: no Chromium, no citizen-page screenshots", file=sys.stderr)
        return []
    return asyncio.run(_screenshots(hub_url, out, item))


async def _screenshots(hub_url: str, out: Path, item: str) -> list[Path]:
    base = hub_url.replace("wss://", "https://").replace("ws://", "http://").removesuffix("/ws")
    saved: list[Path] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        context = await browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
        page = await context.new_page()

        async def shot(name: str) -> None:
            path = out / f"07-page-{name}.png"
            await page.screenshot(path=str(path), full_page=True)
            saved.append(path)

        await page.goto(f"{base}/?item={item}")
        await page.locator("#item-count").wait_for()
        await shot("choose")
        await page.get_by_role("button", name="大字版").click()
        await shot("choose-large-text")
        await page.get_by_role("button", name="开始视频连线").click()
        await page.locator("#queue").wait_for()
        await shot("queue-large-text")
        await page.get_by_role("button", name="取消排队").click()
        await page.locator("#choose").wait_for()
        await browser.close()
    return saved


if __name__ == "__main__":
    for written in page_screenshots(sys.argv[1], Path(sys.argv[2])):
        print(written)
