"""What one web process needs to know: where the data is and the security settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from backmech.services.sign_in import SignInLimits
from backmech.services.web_sessions import SessionPolicy
from backmech.settings import Settings

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""A phone's 60-second 1080p clip is 60-130 MB; larger uploads are refused before they fill the disk."""


@dataclass(frozen=True)
class WebConfig:
    settings: Settings
    session_policy: SessionPolicy = field(default_factory=SessionPolicy)
    sign_in_limits: SignInLimits = field(default_factory=SignInLimits)
    secure_cookies: bool | None = None
    """True: always mark cookies Secure; False: never; None: when the request came over HTTPS."""
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    in_process_workers: int = 1
    """Analysis threads in the web process (embedded default); 0 when ``backmech worker`` runs them."""
