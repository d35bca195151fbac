"""Writers of figures queue behind one lock per store, however each process spells the
store's URL: two servers given `127.0.0.1` and `localhost` for the same database and
schema must wait for each other (the country's sums and the board's reading of changes
rely on it)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from dxplan.store.locks import lock_measures, store_name


@pytest.mark.postgres
def test_two_spellings_of_one_store_share_the_figures_lock(postgres_url: str) -> None:
    url = make_url(postgres_url)
    if url.host != "127.0.0.1":
        pytest.skip("the test spells 127.0.0.1 as localhost")
    first = create_engine(url)
    second = create_engine(url.set(host="localhost"))
    other_schema = create_engine(url.set(query={}))  # the database's default schema
    try:
        with first.begin() as holding:
            lock_measures(holding, ["gov_03_num"])
            with second.connect() as waiting:
                assert store_name(waiting) == store_name(holding)
                waiting.execute(text("SET lock_timeout = '300ms'"))
                with pytest.raises(OperationalError, match="lock timeout"):
                    lock_measures(waiting, ["another_measure"])
            with other_schema.begin() as elsewhere:  # another store: no wait
                assert store_name(elsewhere) != store_name(holding)
                elsewhere.execute(text("SET LOCAL lock_timeout = '300ms'"))
                lock_measures(elsewhere, ["gov_03_num"])
    finally:
        for engine in (first, second, other_schema):
            engine.dispose()
