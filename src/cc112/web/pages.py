"""Page access: cookie session or a redirect to the login page; role checks with a clear page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from cc112.accounts.models import User
from cc112.deps import get_current_user
from cc112.errors import Forbidden, Unauthorized


class LoginRequired(Exception):
    def __init__(self, next_path: str, message: str = "") -> None:
        self.next_path = next_path
        self.message = message


async def page_user(request: Request) -> User:
    try:
        return await get_current_user(request)
    except Unauthorized as exc:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(quote(target), exc.message)


PageUser = Annotated[User, Depends(page_user)]

HOME_BY_ROLE = {
    "operator": "/console", "supervisor": "/supervisor", "agency_dispatcher": "/agency",
    "responder": "/responder", "leader": "/dashboard", "admin": "/console",
}


def require_role(user: User, *roles: str) -> None:
    if user.role not in roles:
        raise Forbidden(f"this page is for {', '.join(roles)}; your role is {user.role}")
