"""Who a request comes from, and what it may see and write.

Every route asks :func:`client_for` first. A request with a valid bearer
token is its organisation's :class:`Client`; one without a token is the
anonymous client (audience ``[server] anonymous``, default ``PUBLIC``; never
a writer), or is refused when the configuration turns anonymous reads off.
A wrong token is always refused: it is never taken as anonymous.

Examples
--------
>>> from northpic.serve.config import ClientAccount, ServeConfig, hash_token
>>> config = ServeConfig(clients=(ClientAccount("EU SATCEN", hash_token("t-eu"),
...                                             frozenset({"EU"})),))
>>> client_for("Bearer t-eu", config).audience
frozenset({'EU'})
>>> client_for(None, config).organisation, client_for(None, config).audience
('anonymous', frozenset({'PUBLIC'}))
>>> client_for("Bearer nope", config)
Traceback (most recent call last):
...
northpic.serve.access.Unauthorized: the bearer token is not known
"""

from __future__ import annotations

from dataclasses import dataclass

from northpic.errors import NorthpicError
from northpic.serve.config import ClientAccount, ServeConfig

#: The organisation name of requests without a token.
ANONYMOUS = "anonymous"


class Unauthorized(NorthpicError):
    """No usable credentials: answered with 401 and a ``WWW-Authenticate`` challenge."""


class Forbidden(NorthpicError):
    """Known credentials that do not allow this: answered with 403."""


@dataclass(frozen=True)
class Client:
    """The party behind one request.

    Attributes
    ----------
    organisation : str
        Its organisation (the originator of what it writes), or ``anonymous``.
    audience : frozenset of str
        It sees only records releasable to all of these codes.
    account : ClientAccount or None
        Its configured account; None for the anonymous client.
    """

    organisation: str
    audience: frozenset[str]
    account: ClientAccount | None = None

    @property
    def may_write(self) -> bool:
        """Whether its organisation may add, replace and delete events."""
        return self.account is not None and self.account.write


def client_for(authorization: str | None, config: ServeConfig) -> Client:
    """Return the client behind an ``Authorization`` header value (None when absent).

    Raises
    ------
    Unauthorized
        For a header that is not ``Bearer <token>``, an unknown token, or no
        token where anonymous access is off.
    """
    if authorization is None or not authorization.strip():
        if config.anonymous is None:
            raise Unauthorized("this server needs a bearer token")
        return Client(ANONYMOUS, config.anonymous)
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    account = config.account_for(token.strip())
    if account is None:
        raise Unauthorized("the bearer token is not known")
    return Client(account.organisation, account.audience, account)


def require_writer(client: Client) -> ClientAccount:
    """Return the account of a client that may write.

    Raises
    ------
    Unauthorized
        For the anonymous client (it should present a token).
    Forbidden
        For an organisation that may not write.
    """
    if client.account is None:
        raise Unauthorized("writing needs a bearer token")
    if not client.account.write:
        raise Forbidden(f"{client.organisation} may read but not write")
    return client.account
