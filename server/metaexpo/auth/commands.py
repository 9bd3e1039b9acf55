"""The staff accounts behind ``metaexpo create-staff``: the first staff account, a lost password.

Run from the command line against the data folder (the database at its
newest schema); prints one line a person can act on and raises
:class:`~metaexpo.errors.ConfigError` (exit status 2) with a message for
anything that stops it.
"""

from __future__ import annotations

import getpass
import sys

from metaexpo.auth.accounts import Accounts
from metaexpo.auth.passwords import PasswordRejected, check_new_password, hash_password
from metaexpo.config import Settings
from metaexpo.errors import ConfigError, Invalid, NotFound, RequestRefused
from metaexpo.store import Database, open_database
from metaexpo.store import accounts as rows
from metaexpo.store.audit import Action, record


def create_staff(db: Database, login: str, display_name: str, password: str) -> str:
    """Create a staff account from the command line; returns its id."""
    try:
        check_new_password(password, login)
    except PasswordRejected as exc:
        raise Invalid(str(exc)) from None
    with db.transaction() as session:
        user = rows.create_user(session, login, display_name, "staff", hash_password(password))
        record(session, "command line", Action.STAFF_CREATED, user.login)
        return user.id


def reset_password(db: Database, login: str, password: str) -> None:
    """Set an account's password from the command line (enables it, signs it out everywhere)."""
    with db.transaction() as session:
        user = rows.user_by_login(session, login)
        if user is None:
            raise NotFound(f"there is no account {login!r}")
        Accounts.set_password(user, password)
        user.disabled = False
        rows.close_all_sessions(session, user.id)
        record(session, "command line", Action.PASSWORD_RESET, user.login)


def read_password(from_stdin: bool) -> str:
    """The new password: one line of standard input, or asked twice at the terminal."""
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise ConfigError("no password on standard input")
        return line.rstrip("\r\n")
    first = getpass.getpass("New password (at least 10 characters): ")
    if first != getpass.getpass("The same password again: "):
        raise ConfigError("the two passwords differ; nothing was changed")
    return first


def run_create_staff(
    settings: Settings, login: str, display_name: str, *, password_stdin: bool, reset: bool
) -> None:
    """Create a staff account (or, with ``reset``, set an account's password)."""
    password = read_password(password_stdin)
    db = open_database(settings)
    try:
        if reset:
            reset_password(db, login, password)
            print(f"the password of {login.strip().lower()} is set; its old sessions are closed")
        else:
            user_id = create_staff(db, login, display_name or login, password)
            print(
                f"staff account {login.strip().lower()} created (id {user_id}); sign in at /portal"
            )
    except RequestRefused as exc:
        raise ConfigError(exc.message) from None
    finally:
        db.close()
