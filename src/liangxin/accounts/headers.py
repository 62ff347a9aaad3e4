"""Web headers on every dynamic response: a strict Content-Security-Policy (every asset is
vendored and served from here; no inline script, no inline style) and `Cache-Control: no-store`
(pages and downloads carry personal and jurisdiction data: no browser or proxy keeps them).

Static files never reach this middleware: WhiteNoise answers them earlier, with long caching.
"""

from django.conf import settings
from django.utils.cache import patch_cache_control


def policy() -> str:
    return "; ".join(f"{name} {value}" for name, value in settings.LIANGXIN_CSP.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        if "max-age" in response.get("Cache-Control", ""):
            del response["Cache-Control"]
        patch_cache_control(response, no_store=True, private=True)
        return response
