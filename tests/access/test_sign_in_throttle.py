"""Sign-in throttling: a lock per user name and client address, and per client
address across user names, kept in the database (every worker, every restart),
lifted after the cool-off, shown on a GOV.UK page, and audited. The real user
from their usual client is never locked out by failures from elsewhere."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.audit.models import AuditEvent
from tests.conftest import PASSWORD

ATTACKER = "203.0.113.9"
USUAL = "198.51.100.7"
WRONG = "wrong-password-here"
LOCKED = "Too many failed attempts to sign in. Wait 15 minutes and try again"


@pytest.fixture
def real_user(db: None, settings: Any) -> User:
    """A user whose password is quick to check (the hash is irrelevant here)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return User.objects.create_user(username="hv.quick", password=PASSWORD)


def sign_in(username: str, password: str, address: str, client: Client | None = None) -> Any:
    client = client or Client()
    response = client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )
    response.signed_in = "_auth_user_id" in client.session
    return response


def lock_out(username: str, address: str, limit: int) -> Any:
    for _ in range(limit - 1):
        response = sign_in(username, WRONG, address)
        assert response.status_code == 200
        assert "Enter a correct user name and password" in response.content.decode()
    return sign_in(username, WRONG, address)


@pytest.mark.django_db
def test_failures_from_elsewhere_do_not_lock_out_the_real_user(real_user: User, settings: Any) -> None:
    locking = lock_out(real_user.username, ATTACKER, settings.LOGIN_FAILURE_LIMIT)
    assert locking.status_code == 429
    # from the attacker's address even the right password is refused, unchecked
    refused = sign_in(real_user.username.upper(), PASSWORD, ATTACKER)
    assert refused.status_code == 429 and not refused.signed_in
    assert LOCKED in refused.content.decode()
    # the real user, from their usual address, signs in
    usual = sign_in(real_user.username, PASSWORD, USUAL)
    assert usual.status_code == 302 and usual.signed_in


@pytest.mark.django_db
def test_one_address_trying_many_user_names_is_throttled(real_user: User, settings: Any) -> None:
    limit = settings.LOGIN_CLIENT_FAILURE_LIMIT
    assert limit > settings.LOGIN_FAILURE_LIMIT
    for n in range(limit - 1):
        response = sign_in(f"guess.{n}", WRONG, ATTACKER)
        assert response.status_code == 200, n
    assert sign_in("guess.last", WRONG, ATTACKER).status_code == 429
    # any user name from that address is now refused, the right password unchecked
    refused = sign_in(real_user.username, PASSWORD, ATTACKER)
    assert refused.status_code == 429 and not refused.signed_in
    assert LOCKED in refused.content.decode()
    # no one user name reached its own limit: the real user signs in elsewhere
    assert sign_in(real_user.username, PASSWORD, USUAL).signed_in


@pytest.mark.django_db
def test_the_lock_is_kept_in_the_database_for_every_worker(real_user: User, settings: Any) -> None:
    lock_out(real_user.username, ATTACKER, settings.LOGIN_FAILURE_LIMIT)
    row = AccessAttempt.objects.get()
    assert (row.username, row.ip_address, row.failures_since_start) == (
        real_user.username,
        ATTACKER,
        settings.LOGIN_FAILURE_LIMIT,
    )
    cache.clear()  # nothing is held in a process's memory or cache
    fresh = Client()
    refused = sign_in(real_user.username, PASSWORD, ATTACKER, client=fresh)
    assert refused.status_code == 429 and not refused.signed_in


@pytest.mark.django_db
def test_the_lock_lifts_after_the_cool_off(real_user: User, settings: Any) -> None:
    lock_out(real_user.username, ATTACKER, settings.LOGIN_FAILURE_LIMIT)
    assert sign_in(real_user.username, PASSWORD, ATTACKER).status_code == 429
    cool_off = timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)
    # the last failure a moment less than the cool-off ago: still locked
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off + timedelta(seconds=30))
    assert sign_in(real_user.username, PASSWORD, ATTACKER).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - timedelta(seconds=1))
    allowed = sign_in(real_user.username, PASSWORD, ATTACKER)
    assert allowed.status_code == 302 and allowed.signed_in
    assert not AccessAttempt.objects.exists()  # a success forgets this name's failures from there


@pytest.mark.django_db
def test_success_forgets_only_that_user_names_failures(real_user: User, settings: Any) -> None:
    sign_in(real_user.username, WRONG, USUAL)
    sign_in("someone.else", WRONG, USUAL)
    assert sign_in(real_user.username, PASSWORD, USUAL).signed_in
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        ("someone.else", 1)
    ]


@pytest.mark.django_db
def test_a_user_name_in_another_case_is_counted_with_it(real_user: User, settings: Any) -> None:
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(real_user.username.upper() if n % 2 else real_user.username, WRONG, ATTACKER)
    assert sign_in(real_user.username, PASSWORD, ATTACKER).status_code == 429


@pytest.mark.django_db
def test_the_locked_out_page_is_the_gov_uk_sign_in_page(real_user: User, settings: Any) -> None:
    response = lock_out(real_user.username, ATTACKER, settings.LOGIN_FAILURE_LIMIT)
    html = response.content.decode()
    assert response.status_code == 429
    assert '<div class="govuk-error-summary"' in html and "There is a problem" in html
    assert f"<li>{LOCKED}</li>" in html
    assert 'class="govuk-heading-l">Sign in to kinmap</h1>' in html
    assert f'value="{real_user.username}"' in html  # the user name is kept, the password is not
    assert WRONG not in html
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_refused_sign_ins_are_audited(real_user: User, settings: Any) -> None:
    limit = settings.LOGIN_FAILURE_LIMIT
    lock_out(real_user.username, ATTACKER, limit)
    sign_in(real_user.username, PASSWORD, ATTACKER)
    sign_in("my-Secret-passw0rd", WRONG, USUAL)
    assert not AuditEvent.objects.filter(object_id__icontains="secret").exists()
    rows = list(
        AuditEvent.objects.filter(object_type="sign-in").values_list(
            "action", "object_id", "actor_name", "changes", "channel"
        )
    )
    failed = ("sign-in-failed", real_user.username, "system")
    locked = ("sign-in-locked-out", real_user.username, "system")
    mine = {"client": [None, ATTACKER], "user_id": [None, real_user.pk]}
    assert rows == [
        *[(*failed, mine, "web")] * (limit - 1),
        (*locked, mine, "web"),  # the failure that locked
        (*locked, mine, "web"),  # the right password, refused while locked
        # what was typed is kept only when it names an account (it may be a password)
        (
            "sign-in-failed",
            "(not a user name)",
            "system",
            {"client": [None, USUAL], "user_id": [None, None]},
            "web",
        ),
    ]


@pytest.mark.django_db
def test_the_client_address_comes_from_a_trusted_proxy_header_only_when_configured(
    real_user: User, settings: Any
) -> None:
    headers = {"HTTP_X_FORWARDED_FOR": f"10.9.9.9, {ATTACKER}"}
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": real_user.username, "password": WRONG}, **headers)
    # by default the header is ignored: the failures count against REMOTE_ADDR
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    AccessAttempt.objects.all().delete()
    settings.CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": real_user.username, "password": WRONG}, **headers)
    # the right-most address, the one the proxy added, is the client
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    refused = client.post(reverse("login"), {"username": real_user.username, "password": PASSWORD}, **headers)
    assert refused.status_code == 429
    other = Client().post(
        reverse("login"),
        {"username": real_user.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR=f"{ATTACKER}, {USUAL}",
    )
    assert other.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["a" * 10_000, "\u00e9" * 300])
def test_a_user_name_longer_than_any_account_is_refused_and_counted(
    real_user: User, settings: Any, typed: str
) -> None:
    """A user name too long for any account (and for the throttle's table on
    PostgreSQL) is refused like any wrong one, and still counts against the client."""
    response = sign_in(typed, WRONG, ATTACKER)
    assert response.status_code == 200 and not response.signed_in
    assert "Enter a correct user name and password" in response.content.decode()
    assert AccessAttempt.objects.filter(ip_address=ATTACKER).count() >= 1
