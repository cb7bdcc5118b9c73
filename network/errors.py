"""The one error vocabulary of the services.

A service refuses in one of three ways, and every caller answers them alike:

- ``django.core.exceptions.ValidationError``: the values are wrong (HTTP 400, with field
  messages when the error names fields); nothing was written.
- ``django.core.exceptions.PermissionDenied``: the actor may not do this (HTTP 403).
- ``Conflict``: the thing changed while the actor was looking (a stale ``version``) or its state
  does not allow the step (HTTP 409). Each state machine has its own subclass so callers can
  tell them apart where they need to; the API's exception handler and the pages' middleware
  answer every one of them the same way.
"""


class Conflict(Exception):
    """A stale version or a step the current state does not allow (HTTP 409).

    ``status`` and ``version`` describe the object as it is now, when the subclass knows them;
    API answers carry them beside ``detail`` so a client can reload and retry.
    """

    status: str | None = None
    version: int | None = None

    def __init__(self, message: str = "", *, status: str | None = None, version=None):
        super().__init__(message)
        if status is not None:
            self.status = status
        if version is not None:
            self.version = version

    @property
    def detail(self) -> str:
        return str(self)

    def as_body(self) -> dict:
        """The JSON body of the 409: ``detail``, and ``status``/``version`` when known."""
        body = {"detail": self.detail}
        if self.status is not None:
            body["status"] = self.status
        if self.version is not None:
            body["version"] = self.version
        return body
