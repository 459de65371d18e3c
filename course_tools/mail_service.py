"""A stand-in mail service for notebook 14: the "other service" the shop calls over HTTP.

`uvicorn_server("course_tools.mail_service:app")` runs it as a real process on 127.0.0.1. It
keeps what it receives in memory and can be told, while it runs, to misbehave:

- `POST /control` with `{"fail_next": 3, "fail_status": 503, "retry_after": 1}` answers the
  next three messages with 503 and `Retry-After: 1`;
- `{"delay": 2.0}` accepts each message, then waits two seconds before answering (the work is
  done, the answer is late: a client with a shorter read timeout gives up and retries);
- `{"dedupe": false}` forgets idempotency keys: every request sends a message;
- down is simply the process stopped, or a port where nothing listens.

`GET /attempts` lists every request (its key, the status answered, seconds since the last
reset), `GET /messages` the messages sent, and `POST /reset` forgets both.
"""

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import FastAPI, Header, Response, status
from pydantic import BaseModel, Field


class Message(BaseModel):
    sender: str
    to: str
    subject: str
    text: str


class Behaviour(BaseModel):
    fail_next: Annotated[int, Field(ge=0)] = 0
    fail_status: Annotated[int, Field(ge=400, le=599)] = 503
    retry_after: Annotated[int, Field(ge=0)] | None = None
    delay: Annotated[float, Field(ge=0)] = 0.0
    dedupe: bool = True


class Attempt(BaseModel):
    key: str | None
    status: int
    at: float  # seconds since the last reset


@dataclass
class Mailbox:
    behaviour: Behaviour = field(default_factory=Behaviour)
    attempts: list[Attempt] = field(default_factory=list)
    sent: list[Message] = field(default_factory=list)
    ids_by_key: dict[str, str] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def note(self, key: str | None, status_code: int) -> None:
        self.attempts.append(
            Attempt(key=key, status=status_code, at=time.monotonic() - self.started)
        )


app = FastAPI(title="mail service (stand-in)")
mailbox = Mailbox()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/messages", status_code=status.HTTP_202_ACCEPTED)
async def send_message(
    message: Message,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> dict[str, Any]:
    behaviour = mailbox.behaviour
    if behaviour.fail_next:
        behaviour.fail_next -= 1
        mailbox.note(idempotency_key, behaviour.fail_status)
        headers = {}
        if behaviour.retry_after is not None:
            headers["Retry-After"] = str(behaviour.retry_after)
        response.status_code = behaviour.fail_status
        response.headers.update(headers)
        return {"detail": "not now"}
    known = mailbox.ids_by_key.get(idempotency_key) if idempotency_key else None
    if behaviour.dedupe and known is not None:
        mailbox.note(idempotency_key, status.HTTP_200_OK)
        response.status_code = status.HTTP_200_OK
        return {"id": known, "duplicate": True}  # sent before: not sent again
    message_id = str(uuid.uuid4())
    mailbox.sent.append(message)
    if idempotency_key:
        mailbox.ids_by_key[idempotency_key] = message_id
    mailbox.note(idempotency_key, status.HTTP_202_ACCEPTED)
    # The message is sent; only the answer is late.
    await asyncio.sleep(behaviour.delay)
    return {"id": message_id, "duplicate": False}


@app.post("/control")
async def control(behaviour: Behaviour) -> Behaviour:
    mailbox.behaviour = behaviour
    return behaviour


@app.get("/attempts")
async def attempts() -> list[Attempt]:
    return mailbox.attempts


@app.get("/messages")
async def messages() -> list[Message]:
    return mailbox.sent


@app.post("/reset")
async def reset() -> dict[str, str]:
    global mailbox
    mailbox = Mailbox()
    return {"status": "reset"}
