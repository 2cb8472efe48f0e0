from django.http import HttpRequest
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts import throttle
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
        ip = throttle.client_ip(request)
        if throttle.exceeded(throttle.BAD_TOKEN_PER_IP, ip):
            raise exceptions.Throttled(
                wait=throttle.BAD_TOKEN_PER_IP.seconds,
                detail="Too many invalid tokens from this address.",
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            key = ""
        token = api_token_resolve(key=key) if key else None
        if token is None:
            throttle.hit(throttle.BAD_TOKEN_PER_IP, ip)
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
