"""Make chalice's local gateway route like API Gateway does for greedy ``{proxy+}`` paths.

``chalice local`` (and ``chalice.test.Client``, which uses the same gateway) matches only
paths with the same number of segments, so a catch-all route never matches and unknown paths
get a bare 403. API Gateway matches ``{proxy+}`` against one or more remaining segments when no
more specific route does; this matcher does the same, so local runs answer as AWS would.
"""

from __future__ import annotations

from chalice import local as chalice_local

_BaseMatcher = chalice_local.RouteMatcher


class ApiGatewayRouteMatcher(_BaseMatcher):  # type: ignore[misc, valid-type]
    def match_route(self, url: str) -> chalice_local.MatchResult:
        try:
            return super().match_route(url)
        except ValueError:
            pass
        parsed = chalice_local.urlparse(url)
        path = parsed.path.rstrip("/") or "/"
        parts = path.split("/")
        query = chalice_local.parse_qs(parsed.query, keep_blank_values=True)
        greedy = sorted(
            (r for r in self.route_urls if r.endswith("/{proxy+}")), key=len, reverse=True
        )
        for route in greedy:
            prefix = route.split("/")[:-1]
            if len(parts) > len(prefix) and all(
                p == r or (r.startswith("{") and r.endswith("}"))
                for p, r in zip(parts, prefix, strict=False)
            ):
                captured = {
                    r[1:-1]: p for p, r in zip(parts, prefix, strict=False) if r.startswith("{")
                }
                captured["proxy+"] = "/".join(parts[len(prefix) :])
                return chalice_local.MatchResult(route, captured, query)
        raise ValueError(f"No matching route found for: {url}")


def install() -> None:
    chalice_local.RouteMatcher = ApiGatewayRouteMatcher
