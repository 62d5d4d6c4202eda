"""The baseline: a bare endpoint on the same server stack as ingest (Starlette under uvicorn).

It reads the body and answers 200, nothing else, so the difference to ingest is what ingest adds:
signature verification, parsing and the durable Kafka publish.
"""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


async def accept(request: Request) -> Response:
    await request.body()
    return JSONResponse({"accepted": 1})


app = Starlette(routes=[Route("/webhooks/hubspot", accept, methods=["POST"])])
