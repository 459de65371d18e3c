"""The floor for benchmark 2: a bare FastAPI app whose one route returns a fixed JSON body.

No database, no middleware, no dependencies: `GET /products` returns the page of products that
the service answered, captured once and read from the file named by `BARE_APP_BODY`. FastAPI
serializes it on every request, as any route returning a dict would.

Served by benchmark 2 (`benchmarks/products_vs_bare.py`) as `uvicorn benchmarks.bare_app:app`.
"""

import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI

BODY: dict[str, Any] = json.loads(Path(os.environ["BARE_APP_BODY"]).read_text(encoding="utf-8"))

app = FastAPI()


@app.get("/products")
async def list_products() -> dict[str, Any]:
    return BODY
