"""Photos as Salama keeps them: re-encoded from their pixels, so that nothing
else a camera wrote travels with them (GPS position, time, device), turned
upright, and at most 1600 px on their longer side. Plain Python (Pillow)."""

import io

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600
# A decompression bomb (a small file of billions of pixels) is refused.
MAX_PIXELS = 50_000_000


class NotAnImage(ValueError):
    pass


def clean_photo(content: bytes) -> tuple[bytes, str]:
    """(bytes, content type) of the photo re-encoded without metadata: JPEG,
    or PNG when it has transparency. NotAnImage when it cannot be read."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(content)) as opened:
            opened.load()
            image = ImageOps.exif_transpose(opened) or opened
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
            out = io.BytesIO()
            if has_alpha:
                image.convert("RGBA").save(out, format="PNG", optimize=True)
                return out.getvalue(), "image/png"
            image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
            return out.getvalue(), "image/jpeg"
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        Image.DecompressionBombError,
        ValueError,
    ) as exc:
        raise NotAnImage(str(exc)) from None
