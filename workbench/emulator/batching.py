"""SSO logins that arrive together commit together.

Most of a login's cost is its commit. Under load, several `/api/auth/sso` requests are read in
the same turn of the event loop: each handler queues its attempt and waits, and at the end of
that turn one transaction applies them all, a savepoint each (`sso_login_many`). Every request
still gets its own result, all-or-nothing on its own, and its response only after its commit.
A lone request waits no longer than the end of the turn it arrived in.
"""

from __future__ import annotations

import asyncio

from workbench.emulator.community import LoginAttempt, LoginResult, sso_login_many
from workbench.emulator.store import Store

_Pending = list[tuple[LoginAttempt, "asyncio.Future[LoginResult]"]]


class LoginBatcher:
    def __init__(self, store: Store) -> None:
        self.store = store
        # One queue per event loop: a test client may drive the app from several loops, and a
        # future must be resolved on its own loop's thread.
        self._pending: dict[asyncio.AbstractEventLoop, _Pending] = {}
        self.batches = 0  # how many commits the logins took (the tests check the sharing)
        self.logins = 0

    async def login(self, attempt: LoginAttempt) -> LoginResult:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[LoginResult] = loop.create_future()
        queue = self._pending.setdefault(loop, [])
        queue.append((attempt, future))
        if len(queue) == 1:
            loop.call_soon(self._flush, loop)
        return await future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self._pending.pop(loop, [])
        if not batch:
            return
        try:
            outcomes = sso_login_many(self.store, [attempt for attempt, _future in batch])
        except Exception as exc:  # the commit itself failed: every request in it did
            outcomes = [exc] * len(batch)
        self.batches += 1
        self.logins += len(batch)
        for (_attempt, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # the client went away and its handler was cancelled
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
