"""The caller: who the token belongs to and which companies it reaches, with roles."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from skrivbord.api.schemas import ErrorOut, MeOut
from skrivbord.core.access import user_memberships
from skrivbord.core.models import User

router = Router(tags=["Account"])


@router.get(
    "/me",
    response={200: MeOut, 401: ErrorOut},
    summary="Who am I",
    operation_id="me",
    description=(
        "The authenticated user and the companies they are a member of, with their role. "
        "Use a company's `id` in the other endpoints' paths."
    ),
)
def me(request: HttpRequest) -> dict[str, object]:
    user: User = request.auth  # type: ignore[attr-defined]
    companies = [
        {
            "id": membership.company.id,
            "name": membership.company.name,
            "org_number": membership.company.org_number,
            "role": membership.role,
            "is_default": membership.company_id == user.default_company_id,
        }
        for membership in user_memberships(user)
    ]
    return {
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "companies": companies,
    }
