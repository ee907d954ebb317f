"""The ODD's official colours and the text colour that reads on each (WCAG 2.1 contrast)."""
from __future__ import annotations

# The United Nations' SDG colour codes (communications materials guidelines), at full strength.
SDG_COLOURS = {1: "#E5243B", 2: "#DDA63A", 3: "#4C9F38", 4: "#C5192D", 5: "#FF3A21", 6: "#26BDE2", 7: "#FCC30B",
               8: "#A21942", 9: "#FD6925", 10: "#DD1367", 11: "#FD9D24", 12: "#BF8B2E", 13: "#3F7E44", 14: "#0A97D9",
               15: "#56C02B", 16: "#00689D", 17: "#19486A"}
WHITE, INK = "#FFFFFF", "#000000"


def luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour « #RRGGBB »."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(background: str) -> str:
    """White or black, whichever contrasts more: on any colour the better of the two reaches at
    least 4.58:1, above AA's 4.5:1 for body text."""
    return WHITE if contrast(background, WHITE) >= contrast(background, INK) else INK
