"""The web's one way to ask the policy: a refusal is a 403 that says what was refused."""

from __future__ import annotations

from fastapi import HTTPException

from dxplan import policy
from dxplan.domain.account import User


def require(user: User | None, action: policy.Action, resource: policy.Resource) -> None:
    """Nothing when `policy.can` allows it; HTTP 403 otherwise.

    Routes first make sure who is asking (401 or the sign-in page for nobody), then
    ask here before reading anything the request carries.
    """
    if not policy.can(user, action, resource):
        who = user.username if user is not None else "an anonymous reader"
        raise HTTPException(403, f"{who} may not {action.value} here.")
