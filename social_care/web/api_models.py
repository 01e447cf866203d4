"""Types of the JSON API's parameters and answers, as declared in ``/api/openapi.json``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

__all__ = ["PostId"]

#: A post's id in a path: posts.id is an INTEGER (PostgreSQL int4), so a larger number is no post, not a 500.
PostId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the post's id")]
