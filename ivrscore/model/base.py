"""The base of every document model: frozen, no unknown keys, and key order remembered.

Models remember the order of the keys they were built from, and dump in that order, so a
file that is loaded and saved again keeps its shape (a designer's diff stays small).
"""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidatorFunctionWrapHandler,
    model_serializer,
    model_validator,
)

__all__ = ["Meta", "Model"]

Meta = dict[str, Any]
"""Free-form metadata: any keys, kept as written and preserved on save."""


class Model(BaseModel):
    """Frozen pydantic model that forbids unknown keys and keeps the input's key order.

    Fields are documented by a docstring under them; :func:`ivrscore.model._docs.describe`
    puts those in the JSON Schema (read when a schema is asked for, not at import).
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
    )

    _keys: tuple[str, ...] = PrivateAttr(default=())

    def __eq__(self, other: object) -> bool:
        """Equal when of the same type with equal field values (source positions and key order
        do not count)."""
        if type(self) is not type(other):
            return NotImplemented
        assert isinstance(other, Model)
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # documents hold dicts: not hashable

    @model_validator(mode="wrap")
    @classmethod
    def _remember_key_order(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        obj = handler(data)
        if isinstance(data, dict) and isinstance(obj, Model):
            obj._keys = tuple(str(k) for k in data)
        return obj

    @model_serializer(mode="wrap")
    def _dump_in_key_order(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> Any:
        out = handler(self)
        if not self._keys or not isinstance(out, dict):
            return out
        rank = {k: i for i, k in enumerate(self._keys)}
        return dict(sorted(out.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def meta_field() -> Any:
    """A ``meta:`` field: free-form, preserved on save."""
    return Field(default_factory=dict)
