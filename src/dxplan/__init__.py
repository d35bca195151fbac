"""dxplan: a government's digital transformation plan, run as data."""

__version__ = "0.1.0"
