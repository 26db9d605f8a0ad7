"""The OpenAPI document says what each answer really is.

django-ninja documents every answer as its renderer's ``application/json``.
A response schema that names its own media type (``media_type``: the problem
document, the FHIR Bundle) is documented under that media type instead, the
same one the answer is sent with.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.types import DictStrAny


def _media_type(response_model: Any) -> str | None:
    """The media type named by the schema an operation declared for a status
    (ninja wraps it in a model with one field, ``response``)."""
    if response_model is None or not hasattr(response_model, "model_fields"):
        return None
    declared = response_model.model_fields["response"].annotation
    return getattr(declared, "media_type", None)


class _Document(OpenAPISchema):
    def responses(self, operation: Operation) -> dict[int, DictStrAny]:
        result = super().responses(operation)
        for status, model in operation.response_models.items():
            media_type = _media_type(model)
            content = result.get(status, {}).get("content")
            if media_type and content and self.api.renderer.media_type in content:
                result[status]["content"] = {media_type: content.pop(self.api.renderer.media_type)}
        return result


class DocumentedAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document gives each answer its real media type."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: DictStrAny | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return _Document(self, path_prefix)
