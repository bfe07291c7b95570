"""The screenshot as evidence: the page's URL and the capture time (UTC) drawn in a strip above
the page, and written into the PNG's text chunks, as the Berkeley Protocol asks of a screenshot
(the URL, the date and the time visible on it); and a small thumbnail for the HTML report.

Images are drawn and encoded with Pillow (HPND licence, the maintained Python imaging library).
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from kzarchive import __version__

STRIP = 44
THUMBNAIL_WIDTH = 320
THUMBNAIL_HEIGHT = 480


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # no FreeType: the bitmap font
        return ImageFont.load_default()


def stamp(png: bytes, url: str, captured_at: str) -> tuple[bytes, bytes]:
    """The stamped screenshot and its thumbnail, both PNG."""
    with Image.open(io.BytesIO(png)) as shot:
        page = shot.convert("RGB")
    width = max(page.width, 600)
    out = Image.new("RGB", (width, page.height + STRIP), "white")
    out.paste(page, (0, STRIP))
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, 0, width, STRIP - 1), fill=(32, 32, 32))
    shown = url if len(url) <= 150 else url[:147] + "..."
    draw.text((8, 4), shown, fill="white", font=_font(14))
    draw.text(
        (8, 23),
        f"captured {captured_at} (UTC) by kzarchive {__version__}, headless Chromium",
        fill=(220, 220, 220),
        font=_font(13),
    )
    info = PngImagePlugin.PngInfo()
    info.add_text("URL", url)
    info.add_text("Creation Time", captured_at)
    info.add_text("Software", f"kzarchive {__version__}")
    full = io.BytesIO()
    out.save(full, "PNG", pnginfo=info, compress_level=3)
    top = out.crop((0, 0, width, min(out.height, width * THUMBNAIL_HEIGHT // THUMBNAIL_WIDTH)))
    top.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT))
    small = io.BytesIO()
    top.save(small, "PNG", pnginfo=info, optimize=True)
    return full.getvalue(), small.getvalue()
