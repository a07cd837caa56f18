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

    # The input's key order lives in a slot, not a pydantic private attribute: private
    # attributes make pydantic run a Python post-init per model (over half the time of
    # loading a 10^5-node file). Copies and pickles carry it (below).
    __slots__ = ("_keys",)  # no annotation: pydantic would make an annotated one private

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
            # validation forbids unknown keys, so every key is a field name or alias (a str)
            object.__setattr__(obj, "_keys", tuple(data))
        return obj

    def _key_order(self) -> tuple[str, ...]:
        return getattr(self, "_keys", ())

    def __copy__(self) -> Model:
        new = super().__copy__()
        object.__setattr__(new, "_keys", self._key_order())
        return new

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Model:
        new = super().__deepcopy__(memo)
        object.__setattr__(new, "_keys", self._key_order())
        return new

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        state["_keys"] = self._key_order()
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        object.__setattr__(self, "_keys", state.get("_keys", ()))

    @model_serializer(mode="wrap")
    def _dump_in_key_order(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> Any:
        out = handler(self)
        keys = self._key_order()
        if not keys or not isinstance(out, dict):
            return out
        rank = {k: i for i, k in enumerate(keys)}
        return dict(sorted(out.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def meta_field() -> Any:
    """A ``meta:`` field: free-form, preserved on save."""
    return Field(default_factory=dict)
