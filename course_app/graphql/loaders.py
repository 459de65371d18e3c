# Written by notebooks/12_graphql.ipynb: edit the notebook, not this file.
"""DataLoaders: the resolvers of one request ask for rows one by one; a loader gathers the
keys asked for in the same tick of the event loop and fetches them in one query."""

import uuid
from dataclasses import dataclass
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from course_app.models import Product
from course_app.repositories.batches import ProductBatchRepository

Sessions = async_sessionmaker[AsyncSession]


async def load_products(sessions: Sessions, keys: list[uuid.UUID]) -> list[Product | None]:
    """The batch function: one query for all the keys, one answer per key, in the keys' order.

    A session of its own: batches of one request may run at the same time (see the context).
    """
    async with sessions() as session:
        found = await ProductBatchRepository(session).get_many(keys)
        return [found.get(key) for key in keys]


@dataclass(frozen=True)
class Loaders:
    """The loaders of one request. New for each request: a loader caches what it loaded, and a
    cache shared by requests would serve one user's rows to another, and stale ones."""

    product: DataLoader[uuid.UUID, Product | None]


def make_loaders(sessions: Sessions) -> Loaders:
    return Loaders(product=DataLoader(load_fn=partial(load_products, sessions)))
