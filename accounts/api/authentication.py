from django.http import HttpRequest
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.models import ApiToken, User
from accounts.services import api_token_resolve


class MembershipTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>`` (or ``Bearer <key>``); the token acts for one membership."""

    keywords = ("token", "bearer")

    def authenticate(self, request: HttpRequest) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send exactly: Authorization: Token <key>.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = api_token_resolve(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return token.membership.user, token

    def authenticate_header(self, request: HttpRequest) -> str:
        return "Token"


class MembershipTokenScheme(OpenApiAuthenticationExtension):
    target_class = MembershipTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        }
