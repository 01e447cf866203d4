"""Alert settings: ``Settings.alerts`` (defined with ``Settings`` in ``social_care/config.py``, where each
default is set once). Every field maps to one ``SOCIAL_CARE_…`` variable (see the table in
``social_care/alerts/__init__``).
"""

from __future__ import annotations

from ..config import AlertSettings

__all__ = ["AlertSettings"]
