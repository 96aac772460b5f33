"""Rate limits (moving window) in memory, or in Redis when several instances share them."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse, parse_many
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from cc112.errors import RateLimited


class Limiter:
    def __init__(self, redis_url: str | None) -> None:
        if redis_url:
            # redis-py is our Redis client; limits would otherwise want coredis, which is not installed.
            self.storage = storage_from_string("async+" + redis_url, implementation="redispy")
        else:
            self.storage = storage_from_string("async+memory://")
        self.strategy = MovingWindowRateLimiter(self.storage)  # type: ignore[arg-type]

    async def hit(self, rule: str | RateLimitItem, *key: str) -> int | None:
        """Count one hit; returns None when allowed, else the seconds until it would be."""
        item = parse(rule) if isinstance(rule, str) else rule
        try:
            if await self.strategy.hit(item, "cc112", *key):
                return None
            reset, _remaining = await self.strategy.get_window_stats(item, "cc112", *key)
        except Exception:  # a broken limiter store must not take the centre down
            return None
        return max(1, math.ceil(reset - time.time()))

    async def check(self, rules: str, *key: str, what: str) -> None:
        """Count a hit against every rule ("10/minute;60/hour"); raise RateLimited (429) when over."""
        for item in parse_many(rules):
            retry = await self.hit(item, *key)
            if retry is not None:
                raise RateLimited(f"too many {what}; try again in {retry} s", retry_after=retry)
