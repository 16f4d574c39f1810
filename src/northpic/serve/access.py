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

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from northpic.errors import NorthpicError
from northpic.markings import MarkingTable, releasable_mask
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


def markings_refused(frame: pd.DataFrame, account: ClientAccount,
                     table: MarkingTable) -> list[str]:
    """List the records of a validated batch whose markings ``account`` may not grant.

    A record may carry only releasability codes within ``account.grant``, and
    a classification at most ``account.max_classification`` (the table's
    lowest level when the account names none).

    Parameters
    ----------
    frame : pandas.DataFrame
        Records as :func:`northpic.events.validate_events` returns them
        (canonical markings).
    account : ClientAccount
        The writer's account.
    table : MarkingTable
        The markings table the configuration uses.

    Returns
    -------
    list of str
        One line per refused record: its id and the reason; empty when all may be written.

    Examples
    --------
    >>> import pandas as pd
    >>> from northpic.markings import default_markings
    >>> from northpic.serve.config import ClientAccount
    >>> eu = ClientAccount("EU SATCEN", "0" * 64, frozenset({"EU"}), True,
    ...                    frozenset({"EU", "PUBLIC"}))
    >>> frame = pd.DataFrame({"id": ["a", "b"], "releasability": ["EU", "NATO, EU"],
    ...                       "classification": ["UNCLASSIFIED", "UNCLASSIFIED"]})
    >>> markings_refused(frame, eu, default_markings())
    ["record 'b': EU SATCEN may not release records to NATO (it may grant PUBLIC, EU)"]
    """
    ceiling = table.level(account.max_classification or table.lowest.code).rank
    granted = table.text(account.grant) if account.grant else "nothing"
    refused = []
    for rid, releasability, level in zip(frame["id"], frame["releasability"],
                                         frame["classification"], strict=True):
        beyond = table.codes(str(releasability)) - account.grant
        if beyond:
            refused.append(f"record {str(rid)!r}: {account.organisation} may not release "
                           f"records to {table.text(beyond)} (it may grant {granted})")
        if table.level(str(level)).rank > ceiling:
            highest = account.max_classification or table.lowest.code
            refused.append(f"record {str(rid)!r}: {account.organisation} may not write "
                           f"{level} records (at most {highest})")
    return refused


def visible_ids(releasability: Mapping[str, str], audience: frozenset[str],
                table: MarkingTable) -> set[str]:
    """Return the ids (of ``id -> releasability``) that a client of ``audience`` may see.

    Examples
    --------
    >>> from northpic.markings import default_markings
    >>> sorted(visible_ids({"a": "NATO", "b": "NATO, EU", "c": "PUBLIC", "d": ""},
    ...                    frozenset({"EU"}), default_markings()))
    ['b', 'c']
    """
    frame = pd.DataFrame({"id": list(releasability), "releasability": list(releasability.values())})
    return set(frame["id"][releasable_mask(frame, audience, table)])
