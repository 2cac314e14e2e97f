"""``seat-client --self-test``: does this install of the workstation hold together?

Run on a counter PC after installing or upgrading (offscreen, no hub, no devices, nothing
of the agent's data touched): it reads the effective settings (the machine-wide
client.toml, the agent's own file), loads the catalog, the forms and regions, the review
reasons, the Chinese translation, the style sheet, a font with Chinese glyphs and the task
plugins, then assembles the whole seat in a throw-away data folder, shows its main window,
draws it once and closes it. Each check prints one line, passed or failed with the reason;
the exit code is 0 when every check passed, 1 otherwise, and the last line names the
checks that failed.
"""

from __future__ import annotations

import asyncio
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TextIO

import qasync
from PyQt6.QtCore import QTranslator
from PyQt6.QtGui import QFontDatabase
from PyQt6.QtWidgets import QApplication

from seat_client import settings as settings_mod
from seat_client.plugin_host.host import PluginHost
from seat_common import catalog, forms, review_reasons
from seat_common.documents import pdf_fonts
from seat_common.resources import CJK_FONT_PATH, resource_path
from seat_common.version import version_text
from ui import i18n
from ui.theme import STYLE_PATH, apply_theme, packaged_font_families


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check: its name (Chinese / English), whether it passed, and what it found."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"[{'通过' if self.ok else '失败'}] {self.name}: {self.detail}"


class SelfTest:
    """The checks, run in order; each result is printed as it comes."""

    def __init__(self, app: QApplication, out: TextIO) -> None:
        self.app = app
        self.out = out
        self.results: list[CheckResult] = []
        self.settings = settings_mod.WorkstationSettings()
        self.catalog: catalog.Catalog | None = None
        self.translators: list[QTranslator] = []

    def check(self, name: str, run: Callable[[], str]) -> None:
        try:
            result = CheckResult(name, True, run())
        except Exception as exc:  # a self-test reports every failure, whatever it is
            result = CheckResult(name, False, f"{type(exc).__name__}: {exc}")
        self.results.append(result)
        print(result.line(), file=self.out, flush=True)

    def run(self, load_settings: Callable[[], settings_mod.SourcedSettings]) -> int:
        print(f"{version_text('seat-client')} 自检 / self-test", file=self.out)
        self.check("设置 settings", lambda: self._settings(load_settings))
        self.check("事项目录 catalog", self._catalog)
        self.check("申请表 forms", self._forms)
        self.check("审核理由 review reasons", self._reasons)
        self.check("翻译 translations", self._translations)
        self.check("样式 style", self._style)
        self.check("字体 fonts", self._fonts)
        self.check("任务插件 plugins", self._plugins)
        self.check("主窗口 main window", self._main_window)
        failed = [r.name for r in self.results if not r.ok]
        if failed:
            print(f"自检失败 / self-test failed: {', '.join(failed)}", file=self.out)
            return 1
        print(f"自检通过：{len(self.results)} 项检查全部通过 / self-test passed", file=self.out)
        return 0

    def _settings(self, load_settings: Callable[[], settings_mod.SourcedSettings]) -> str:
        sourced = load_settings()
        self.settings = sourced.settings
        read = ", ".join(str(p) for p in sourced.files) or "无配置文件，全用默认值 (defaults only)"
        return f"hub_url {self.settings.hub_url}; 读取 read: {read}"

    def _catalog(self) -> str:
        self.catalog = catalog.load()
        return (f"{len(self.catalog.items)} 个事项 items, {len(self.catalog.themes)} 个主题"
                f" themes ({catalog.DEFAULT_PATH})")

    def _forms(self) -> str:
        library = forms.FormLibrary()
        codes = library.codes()
        if not codes:
            raise RuntimeError(f"{forms.FORMS_DIR} 中没有申请表")
        regions = forms.load_regions()
        return (f"{len(codes)} 张申请表 forms ({', '.join(codes)});"
                f" {len(regions.provinces)} 个省份的行政区划 regions")

    def _reasons(self) -> str:
        reasons = review_reasons.load_reasons()
        return f"{len(reasons)} 个理由 reasons"

    def _translations(self) -> str:
        language = "zh_CN"
        qm = resource_path("i18n", f"seat_{language}.qm")
        translator = QTranslator()
        if not translator.load(str(qm)):
            raise RuntimeError(f"无法加载 {qm}（安装包缺少编译好的翻译）")
        source = ET.parse(resource_path("i18n", f"seat_{language}.ts")).getroot()
        message = next(m for m in source.iter("message")
                       if (m.findtext("translation") or "").strip())
        context = next(c for c in source.iter("context") if message in list(c))
        wanted = (message.findtext("translation") or "").strip()
        english = message.findtext("source") or ""
        got = translator.translate(context.findtext("name") or "", english)
        if got != wanted:
            raise RuntimeError(f"{english!r} 译为 {got!r}，应为 {wanted!r}")
        # The window below then shows in the agent's language, as it will for real.
        self.translators = i18n.install(self.app, self.settings.language)
        return f"{qm.name}: {english!r} → {got!r}"

    def _style(self) -> str:
        sheet = STYLE_PATH.read_text(encoding="utf-8")
        if not sheet.strip():
            raise RuntimeError(f"{STYLE_PATH} 是空的")
        apply_theme(self.app, large_text=self.settings.large_text)
        return f"{STYLE_PATH.name}, {len(sheet)} 字节 bytes"

    def _fonts(self) -> str:
        packaged = packaged_font_families()
        if not packaged:
            raise RuntimeError(f"Qt 无法加载随 Seat 安装的中文字体 {CJK_FONT_PATH}")
        pdf = pdf_fonts.cjk_font()  # what receipts, notices and reports embed
        chinese = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
        return (f"界面字体 UI font {self.app.font().family()!r}; 随附 packaged {packaged[0]!r}"
                f" (PDF {pdf}); {len(chinese)} 个中文字体 families")

    def _plugins(self) -> str:
        if self.catalog is None:
            raise RuntimeError("事项目录没有加载，无法检查插件")
        host = PluginHost(self.catalog)
        found = host.discovered()
        if not found:
            raise RuntimeError("没有找到任务插件（入口点 seat_client.plugins）")
        host.load_all()
        if host.disabled:
            raise RuntimeError("; ".join(host.disabled.values()))
        return f"{len(found)} 个插件 plugins: {', '.join(host.loaded())}"

    def _main_window(self) -> str:
        loop = qasync.QEventLoop(self.app)
        asyncio.set_event_loop(loop)
        try:
            with loop:
                detail: str = loop.run_until_complete(self._open_and_close_window())
        finally:
            asyncio.set_event_loop(None)
        return detail

    async def _open_and_close_window(self) -> str:
        # Imported here: the rest of the checks must run even if the seat's code cannot load.
        from ui.workstation.assembly import assemble_seat

        with tempfile.TemporaryDirectory(prefix="seat-self-test-") as state:
            settings = replace(self.settings, state_dir=state, devices="synthetic",
                               hub_url="ws://127.0.0.1:9/ws", ca_file="", agent_id="self-test")
            seat = await assemble_seat(settings, "self-test")
            try:
                seat.window.show()
                await asyncio.sleep(0)  # one turn of the loop: Qt lays the window out
                picture = seat.window.grab()
                if not seat.window.isVisible() or picture.isNull():
                    raise RuntimeError("主窗口没有显示出来")
                size = f"{picture.width()}×{picture.height()}"
            finally:
                await seat.close()
        return f"已打开并关闭 opened and closed, {size}, {seat.window.windowTitle()!r}"
