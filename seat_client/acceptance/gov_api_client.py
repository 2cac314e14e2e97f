"""The government service API client (aiohttp), following the OpenAPI document
(seat_common/resources/openapi/gov-api.json).

``GovApiClient`` gets bearer tokens with client credentials, keeps the
current token (in the system keyring through ``GovApiCredentials``, never a
file or a log), refreshes it once when the API says 401, and turns every
answer into a typed value or a typed ``GovApiError``:

- ``FieldErrors`` (422): per-field problems to map back onto the form;
- ``IdempotencyConflict`` (409 on a reused key with another body);
- ``RateLimited`` (429) and ``Unavailable`` (5xx), with ``retry_after`` when given;
- ``TransportError``: the connection dropped or timed out — the request may
  or may not have taken effect, so only an idempotent retry is safe;
  ``UntrustedServer``, one of them, when the API's certificate failed
  verification (the system store, or the CAs of ``ca_file``);
- ``Unauthorized`` (bad client credentials), ``NotFound``, ``BadAnswer``.

Answers are checked at the border: a malformed body is ``BadAnswer``, not a
``KeyError`` three calls later.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

import aiohttp
import keyring
import keyring.errors

from seat_client.credentials import CredentialsError
from seat_common import tls
from seat_common.personal_data.pii import mask_text

SERVICE: Final = "seat-gov-api"
TOKEN_MARGIN_S: Final = 30.0


class GovApiError(Exception):
    """Anything the API call could not do; ``retryable`` says whether to try again."""

    retryable = False
    retry_after: float | None = None


class TransportError(GovApiError):
    retryable = True


class UntrustedServer(TransportError):
    """The API's certificate failed verification: nothing was sent. Retried like a dropped
    connection (the outbox keeps the application), since a fixed certificate or CA file
    lets it through."""

    def __init__(self, failure: tls.TlsFailure) -> None:
        super().__init__(f"政务服务接口的证书未通过验证 / the government API's {failure}")
        self.failure = failure


class Unavailable(GovApiError):
    retryable = True

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"the government API answered {status}")
        self.status = status
        self.retry_after = retry_after


class RateLimited(Unavailable):
    def __init__(self, retry_after: float | None) -> None:
        super().__init__(429, retry_after)


class Unauthorized(GovApiError):
    """The client credentials were refused (or a fresh token was refused at once)."""


class NotFound(GovApiError):
    pass


class IdempotencyConflict(GovApiError):
    """The idempotency key was used before for a different request."""


class BadAnswer(GovApiError):
    """The API answered something that does not follow its own document."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str
    code: str
    message: str


class FieldErrors(GovApiError):
    """The API refused the request's content (422), field by field."""

    def __init__(self, message: str, fields: tuple[FieldProblem, ...]) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


@dataclass(frozen=True, slots=True)
class Application:
    """An application as the API knows it."""

    application_no: str
    item_code: str
    status: str  # received, accepted, returned
    status_reason: str
    received_at: str


@dataclass(frozen=True, slots=True)
class CachedToken:
    """A bearer token and the moment we stop using it (a little before it expires)."""

    value: str
    expires_at: float


class GovApiCredentials(Protocol):
    """Where the client secret and the current token live (blocking calls: run off the loop)."""

    client_id: str

    def client_secret(self) -> str: ...
    def load_token(self) -> CachedToken | None: ...
    def save_token(self, token: CachedToken | None) -> None: ...


class KeyringGovApiCredentials:
    """The client secret and the last token in the system keyring (service ``seat-gov-api``)."""

    def __init__(self, client_id: str, service: str = SERVICE) -> None:
        self.client_id = client_id
        self._service = service

    def set_client_secret(self, secret: str) -> None:
        self._call(keyring.set_password, self._service, f"secret:{self.client_id}", secret)

    def client_secret(self) -> str:
        secret = self._call(keyring.get_password, self._service, f"secret:{self.client_id}")
        if not secret:
            raise CredentialsError(f"no client secret for {self.client_id} in the keyring")
        return str(secret)

    def load_token(self) -> CachedToken | None:
        raw = self._call(keyring.get_password, self._service, f"token:{self.client_id}")
        try:
            data = json.loads(raw) if raw else None
            return CachedToken(str(data["value"]), float(data["expires_at"])) if data else None
        except (ValueError, KeyError, TypeError):
            return None

    def save_token(self, token: CachedToken | None) -> None:
        name = f"token:{self.client_id}"
        if token is None:
            try:
                keyring.delete_password(self._service, name)
            except keyring.errors.PasswordDeleteError:
                pass
            except keyring.errors.KeyringError as exc:
                raise CredentialsError(str(exc)) from exc
            return
        self._call(keyring.set_password, self._service, name,
                   json.dumps({"value": token.value, "expires_at": token.expires_at}))

    @staticmethod
    def _call(fn: Any, *args: str) -> Any:
        try:
            return fn(*args)
        except keyring.errors.KeyringError as exc:
            raise CredentialsError(f"the system keyring refused: {exc}") from exc


class GovApiClient:
    """One API base URL, one client identity; owns its aiohttp session (``close`` it)."""

    def __init__(
        self, base_url: str, credentials: GovApiCredentials, *, timeout_s: float = 10.0,
        ca_file: str | Path | None = None,
    ) -> None:
        tls.check_url(base_url, what="government API address", secure="https")
        self.base_url = base_url.rstrip("/")
        # True: aiohttp's own default, for plain http:// (loopback only, checked above).
        self._ssl: ssl.SSLContext | bool = tls.client_context_for(base_url, ca_file) or True
        self.credentials = credentials
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None
        self._token: CachedToken | None = None
        self._token_loaded = False
        self._token_lock = asyncio.Lock()
        #: tokens fetched so far (tests and the status strip read it)
        self.tokens_fetched = 0

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    # --- tokens ---------------------------------------------------------------------------

    async def token(self, *, refresh: bool = False, stale: str = "") -> str:
        async with self._token_lock:
            if not self._token_loaded:
                self._token = await asyncio.to_thread(self.credentials.load_token)
                self._token_loaded = True
            current = self._token
            usable = current is not None and current.expires_at > time.time()
            # Several requests may see the same 401: refresh once, not once each.
            if usable and current is not None and not (refresh and current.value == stale):
                return current.value
            secret = await asyncio.to_thread(self.credentials.client_secret)
            form = {"grant_type": "client_credentials", "client_id": self.credentials.client_id,
                    "client_secret": secret}
            status, body, _ = await self._send("POST", "/oauth/token", data=form)
            if status in (400, 401):
                raise Unauthorized("the government API refused our client credentials")
            self._raise_for(status, body, {})
            try:
                lifetime = float(body["expires_in"])
                # Stop using a token a little before it expires (a tenth of its life, at most
                # TOKEN_MARGIN_S), so a request is not sent with a token about to lapse.
                fresh = CachedToken(str(body["access_token"]),
                                    time.time() + lifetime - min(TOKEN_MARGIN_S, lifetime / 10))
            except (KeyError, TypeError, ValueError) as exc:
                raise BadAnswer(f"token answer without access_token/expires_in: {exc}") from exc
            self._token = fresh
            self.tokens_fetched += 1
            await asyncio.to_thread(self.credentials.save_token, fresh)
            return fresh.value

    # --- the calls ------------------------------------------------------------------------

    async def submit_application(self, idempotency_key: str, body: dict[str, Any]) -> Application:
        answer = await self._call("POST", "/v1/applications", body, idempotency_key)
        return _application(answer)

    async def application(self, number: str) -> Application:
        return _application(await self._call("GET", f"/v1/applications/{number}"))

    # A person is looked up with the ID number in the body: never in a URL, which gateways log.
    async def unemployment_details(self, id_number: str) -> dict[str, Any]:
        return await self._call("POST", "/v1/unemployment-insurance/person-queries",
                                {"id_number": id_number})

    async def pension_status(self, id_number: str) -> dict[str, Any]:
        return await self._call("POST", "/v1/pension-certification-queries",
                                {"id_number": id_number})

    # The electronic-licence library (电子证照): only with the citizen's consent reference;
    # the answers are checked by ``acceptance.e_licences``.
    async def e_licence_query(self, id_number: str, consent_ref: str) -> dict[str, Any]:
        return await self._call("POST", "/v1/e-licences/queries",
                                {"id_number": id_number, "consent_ref": consent_ref})

    async def e_licence_image(self, licence_id: str, consent_ref: str) -> dict[str, Any]:
        return await self._call("POST", "/v1/e-licences/images",
                                {"licence_id": licence_id, "consent_ref": consent_ref})

    async def halls(self) -> list[dict[str, Any]]:
        return list((await self._call("GET", "/v1/halls")).get("halls", []))

    async def slots(self, hall: str, day: str) -> list[dict[str, Any]]:
        return list((await self._call("GET", f"/v1/halls/{hall}/slots?date={day}"))
                    .get("slots", []))

    async def book(self, idempotency_key: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._call("POST", "/v1/appointments", body, idempotency_key)

    async def appointment(self, booking_no: str) -> dict[str, Any]:
        """An appointment and the work-order data its booking linked (counter intake)."""
        return await self._call("GET", f"/v1/appointments/{booking_no}")

    async def register_business(self, idempotency_key: str, values: dict[str, str]) -> (
        dict[str, Any]
    ):
        return await self._call("POST", "/v1/individual-businesses", {"values": values},
                                idempotency_key)

    # --- internals ------------------------------------------------------------------------

    async def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, key: str = ""
    ) -> dict[str, Any]:
        raw = None if body is None else json.dumps(body, ensure_ascii=False, sort_keys=True)
        token = await self.token()
        for attempt in range(2):
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            if raw is not None:
                headers["Content-Type"] = "application/json"
            if key:
                headers["Idempotency-Key"] = key
            status, answer, reply_headers = await self._send(method, path, raw=raw,
                                                             headers=headers)
            if status == 401 and attempt == 0:
                token = await self.token(refresh=True, stale=token)
                continue
            if status == 401:
                raise Unauthorized("a fresh token was refused")
            self._raise_for(status, answer, reply_headers)
            return answer
        raise AssertionError("unreachable")

    async def _send(
        self, method: str, path: str, *, raw: str | None = None,
        data: dict[str, str] | None = None, headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        try:
            async with self._http().request(
                method, self.base_url + path, data=raw.encode() if raw is not None else data,
                headers=headers, ssl=self._ssl,
            ) as response:
                text = await response.text()
                reply_headers = {k: v for k, v in response.headers.items()}
                status = response.status
        except aiohttp.ClientSSLError as exc:
            failure = tls.tls_failure(exc) or tls.TlsFailure(tls.TlsProblem.HANDSHAKE, str(exc))
            raise UntrustedServer(failure) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            # Masked all the same: the message may reach a log.
            raise TransportError(mask_text(f"{method} {path}: {type(exc).__name__}: {exc}")
                                 ) from exc
        try:
            answer = json.loads(text) if text else {}
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            if status >= 500:
                answer = {}
            else:
                raise BadAnswer(mask_text(f"{method} {path}: {status}, not a JSON object"))
        return status, answer, reply_headers

    @staticmethod
    def _raise_for(status: int, answer: dict[str, Any], headers: dict[str, str]) -> None:
        if 200 <= status < 300:
            return
        message = str(answer.get("message", "")) or f"HTTP {status}"
        retry_after = _retry_after(headers.get("Retry-After"))
        if status == 422:
            fields = answer.get("fields", [])
            if not isinstance(fields, list):
                raise BadAnswer("422 without a list of fields")
            raise FieldErrors(message, tuple(
                FieldProblem(str(f.get("field", "")), str(f.get("code", "")),
                             str(f.get("message", "")))
                for f in fields if isinstance(f, dict)))
        if status == 409 and answer.get("error") == "idempotency_key_reused":
            raise IdempotencyConflict(message)
        if status == 429:
            raise RateLimited(retry_after)
        if status >= 500:
            raise Unavailable(status, retry_after)
        if status == 404:
            raise NotFound(message)
        raise GovApiError(f"HTTP {status}: {message}")


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare from this API; fall back to our own backoff


def _application(answer: dict[str, Any]) -> Application:
    try:
        return Application(
            application_no=str(answer["application_no"]),
            item_code=str(answer["item_code"]),
            status=str(answer["status"]),
            status_reason=str(answer.get("status_reason") or ""),
            received_at=str(answer["received_at"]),
        )
    except KeyError as exc:
        raise BadAnswer(f"an application answer without {exc}") from exc
