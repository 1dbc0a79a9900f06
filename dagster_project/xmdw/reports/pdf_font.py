"""The CJK font every PDF embeds: the TrueType font of Debian's fonts-wqy-microhei (installed by `make fonts`)
or the .ttf/.ttc that XMDW_PDF_FONT names, registered once with reportlab as the default of pages and charts.
reportlab cannot embed CFF-based OpenType (Noto CJK .otf)."""

from __future__ import annotations

import os
from functools import cache

FONT = "XmdwCJK"
# TrueType (glyf) CJK fonts from Debian packages
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei (make fonts)
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/truetype/arphic/uming.ttc",  # fonts-arphic-uming
)


class FontMissing(ImportError):
    """No CJK TrueType font to embed: run `make fonts` (Debian fonts-wqy-microhei)."""


def font_file() -> str:
    for path in (os.environ.get("XMDW_PDF_FONT"), *FONT_CANDIDATES):
        if path and os.path.exists(path):
            return path
    raise FontMissing("未找到可嵌入的中文字体：请运行 make fonts（安装 fonts-wqy-microhei）")


@cache
def register() -> str:
    """Register the font (raises FontMissing when there is none) and return its reportlab name."""
    from reportlab import rl_config
    from reportlab.graphics.shapes import STATE_DEFAULTS
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, font_file(), subfontIndex=0))
    # the canvas' initial font: otherwise every page names Helvetica, a font the file does not embed
    rl_config.canvas_basefontname = FONT
    STATE_DEFAULTS["fontName"] = FONT  # charts: renderPDF starts every drawing in this font
    return FONT
