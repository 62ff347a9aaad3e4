"""A rider's photo: size-limited, decoded and re-encoded as a JPEG of at most 1600 px, so only
pixels are kept — no EXIF at all (no GPS position, no camera serial) unless the rider ticked
“附带位置”, in which case the position (the GPS block) alone is carried over."""

from __future__ import annotations

import io

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600
GPS_IFD = 0x8825
Image.MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb is refused, not decoded


class PhotoRejected(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    return settings.LIANGXIN_SENTINEL_PHOTO_MAX_MB * 1024 * 1024


def clean_photo(upload, *, keep_location: bool) -> bytes:
    """The stored copy of an uploaded photo (a Django UploadedFile or a binary file)."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise PhotoRejected(f"照片超过 {settings.LIANGXIN_SENTINEL_PHOTO_MAX_MB} MB，请压缩后重新选择")
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise PhotoRejected(f"照片超过 {settings.LIANGXIN_SENTINEL_PHOTO_MAX_MB} MB，请压缩后重新选择")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG", "WEBP", "GIF", "MPO"):
                raise PhotoRejected("照片格式无法识别，请上传 JPG 或 PNG 图片")
            gps = image.getexif().get_ifd(GPS_IFD) if keep_location else {}
            image = ImageOps.exif_transpose(image)  # keep it upright once the orientation tag is gone
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            rgb = image.convert("RGB")
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise PhotoRejected("照片无法打开（文件损坏或不是图片），请重新选择") from None
    out = io.BytesIO()
    kwargs = {}
    if gps:
        exif = Image.Exif()
        exif[GPS_IFD] = gps
        kwargs["exif"] = exif.tobytes()
    rgb.save(out, "JPEG", quality=85, optimize=True, **kwargs)
    return out.getvalue()
