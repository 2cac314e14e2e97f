"""Accessibility checks of the citizen page in Chromium: axe-core (from npm, pinned in
``package-lock.json``, installed by ``scripts/setup``) run on the page as it stands, and the
keyboard walk of every visible control.

axe-core is evaluated from ``node_modules/axe-core/axe.min.js`` by the test through the
browser's debugging protocol, which the page's Content-Security-Policy does not govern:
the page itself keeps loading only its own files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: What a citizen cannot get past: the impacts the issue forbids.
BLOCKING = ("serious", "critical")


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page now (WCAG 2.x A and AA rules and best practices)."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text("utf-8"))
    result: dict[str, Any] = await page.evaluate(
        """async () => {
            const r = await axe.run(document, { resultTypes: ["violations"] });
            return { violations: r.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) })) };
        }"""
    )
    return list(result["violations"])


async def blocking_violations(page: Page) -> list[dict[str, Any]]:
    return [v for v in await axe_violations(page) if v["impact"] in BLOCKING]


async def keyboard_walk(page: Page, limit: int = 80) -> dict[str, Any]:
    """Tab through the page from the top: which visible controls were reached (a radio group
    counts once, as browsers stop on it once), which were not, and any control that, once
    focused, was not wholly on screen."""
    await page.evaluate(
        """() => {
            const sel = "button, input, select, textarea, a[href], [tabindex]:not([tabindex='-1'])";
            let n = 0;
            for (const el of document.querySelectorAll(sel)) {
                const style = getComputedStyle(el);
                const box = el.getBoundingClientRect();
                const shown = el.getClientRects().length > 0 && style.visibility !== "hidden"
                    && !el.disabled && !el.closest("[hidden]");
                el.dataset.kb = shown ? (el.type === "radio" ? `radio:${el.name}` : `c${n++}`) : "";
                if (box.width === 0 && el.type !== "radio") el.dataset.kb = "";
            }
            document.activeElement && document.activeElement.blur();
            window.scrollTo(0, 0);
        }"""
    )
    wanted = set(await page.evaluate(
        "[...document.querySelectorAll('[data-kb]')].map((e) => e.dataset.kb).filter(Boolean)"))
    reached: list[str] = []
    off_screen: list[str] = []
    for _ in range(limit):
        await page.keyboard.press("Tab")
        info = await page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || !el.dataset || !el.dataset.kb) return null;
                const b = el.getBoundingClientRect();
                // A hidden file input is used through its label, which must be on screen.
                const target = el.type === "file" && el.labels && el.labels[0] ? el.labels[0] : el;
                const t = target.getBoundingClientRect();
                const id = el.id || el.name || el.textContent.trim().slice(0, 12) || el.tagName;
                return { kb: el.dataset.kb, id,
                         inView: t.left >= -0.5 && t.right <= innerWidth + 0.5
                                 && t.top >= -0.5 && t.bottom <= innerHeight + 0.5,
                         box: [b.left, b.top, b.width, b.height] };
            }"""
        )
        if info is None:
            continue
        if info["kb"] in reached:
            if len(reached) >= len(wanted):
                break
            continue
        reached.append(info["kb"])
        if not info["inView"]:
            off_screen.append(f"{info['id']} at {[round(v) for v in info['box']]}")
    return {"wanted": wanted, "reached": reached, "missed": sorted(wanted - set(reached)),
            "off_screen": off_screen}


async def overflow(page: Page) -> dict[str, float]:
    """How far the page is wider than its viewport (0: no sideways scrolling)."""
    result: dict[str, float] = await page.evaluate(
        "({ extra: document.documentElement.scrollWidth - innerWidth, width: innerWidth })")
    return result
