"""A publication's metadata and its schema: what an editor's upload form and a ``NAME.meta.json`` file
may say. Checked before anything is queued or read: bounded in size, depth (pydantic's JSON parser stops
at 200 levels; the schema allows two), field lengths and counts; editor tags must name taxonomy labels.

A field renamed since older versions wrote it (``LEGACY_FIELDS``: a publication's ``kind`` is its
``genre`` since API 0.3.0) is read under its new name here, wherever metadata comes from: a
``NAME.meta.json``, an upload's form, the stored originals and an older snapshot's store
(``current_names``)."""
from __future__ import annotations

from typing import Annotated, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from .errors import CatalyseError
from .taxonomy import ids

MAX_METADATA_BYTES = 64 * 1024      # a metadata form or file; the longest corpus one is 0.6 KB
MAX_FIELDS = 40
MAX_TEXT = 1_000                    # a title, publisher, licence…: the corpus's longest title is 124 characters
MAX_URL = 2_000
MAX_LIST = 50                       # values of a free list field

Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
Url = Annotated[str, StringConstraints(max_length=MAX_URL)]
Scalar = Union[Annotated[str, StringConstraints(max_length=MAX_TEXT)], bool, int, float, None]


class BadMetadata(CatalyseError):
    code = "bad_metadata"


# Old name → new name of a metadata field, for files, forms and snapshots written before the rename.
LEGACY_FIELDS = {"kind": "genre"}       # API 0.3.0: « kind » names an actor's kind only (docs/glossary.md)


def current_names(meta: dict) -> dict:
    """``meta`` with its fields under their current names (``kind`` → ``genre``); a field given under
    both names with two values is refused (``bad_metadata``): which one the editor meant is unknown."""
    if not any(old in meta for old in LEGACY_FIELDS):
        return meta
    meta = dict(meta)
    for old, new in LEGACY_FIELDS.items():
        if old in meta:
            value = meta.pop(old)
            if new in meta and meta[new] != value:
                raise BadMetadata(f"« {old} » est l'ancien nom de « {new} » : donnez seulement « {new} » "
                                  f"(reçu {old}={value!r}, {new}={meta[new]!r})")
            meta[new] = value
    return meta


class EditorTags(BaseModel):
    """Labels an editor gives (``ingest.tagger.apply_editor_tags``): identifiers of the taxonomies."""
    model_config = ConfigDict(extra="forbid")

    levers: Annotated[list[str], Field(max_length=len(ids("levers")))] = []
    sdg: Annotated[list[Annotated[int, Field(ge=1, le=17)]], Field(max_length=17)] = []
    trades: Annotated[list[str], Field(max_length=len(ids("trades")))] = []
    entry_point: str | None = None
    replace: bool = False

    @field_validator("levers", "trades")
    @classmethod
    def _known(cls, values: list[str], info) -> list[str]:
        unknown = [v for v in values if v not in ids(info.field_name)]
        if unknown:
            raise ValueError(f"étiquette inconnue « {unknown[0]} » (connues : {', '.join(ids(info.field_name))})")
        return values

    @field_validator("entry_point")
    @classmethod
    def _known_entry_point(cls, value: str | None) -> str | None:
        if value is not None and value not in ids("entry_points"):
            raise ValueError(f"point d'entrée inconnu « {value} » (connus : {', '.join(ids('entry_points'))})")
        return value


class Metadata(BaseModel):
    """The fields the code reads, typed and bounded; any other field is kept if it is a short value
    or a short list of them (``licence``, ``notes``…)."""
    model_config = ConfigDict(extra="allow")

    title: Text | None = None
    author: Text | None = None
    date: Annotated[str, StringConstraints(max_length=40)] | None = None
    publisher: Text | None = None
    genre: Text | None = None          # the nature of the publication: actes, kit, référence, video (was ``kind``)
    language: Annotated[str, StringConstraints(max_length=20)] | None = None
    source_url: Url | None = None
    video_url: Url | None = None
    tags: EditorTags | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy_names(cls, data):
        try:
            return current_names(data) if isinstance(data, dict) else data
        except BadMetadata as exc:      # as a ValueError, the message says which file or form it is about
            raise ValueError(str(exc)) from None


def _extra_ok(value) -> bool:
    scalar = lambda v: v is None or isinstance(v, (bool, int, float)) or (isinstance(v, str) and len(v) <= MAX_TEXT)  # noqa: E731
    return scalar(value) or (isinstance(value, list) and len(value) <= MAX_LIST and all(map(scalar, value)))


MESSAGES = {"string_type": "texte attendu", "string_too_long": "trop long", "too_long": "trop de valeurs",
            "int_parsing": "nombre entier attendu", "int_type": "nombre entier attendu",
            "greater_than_equal": "hors des bornes", "less_than_equal": "hors des bornes",
            "extra_forbidden": "champ inconnu", "json_invalid": "JSON invalide ou trop imbriqué",
            "model_type": "objet attendu", "model_attributes_type": "objet attendu", "dict_type": "objet attendu",
            "bool_type": "booléen attendu", "bool_parsing": "booléen attendu", "list_type": "liste attendue"}


def _message(error: dict) -> str:
    where = "".join(f"{part} : " for part in (".".join(map(str, error["loc"])),) if part)
    if error["type"] == "value_error":
        return where + str(error["ctx"]["error"])
    limit = error.get("ctx", {}).get("max_length")
    return where + MESSAGES.get(error["type"], error["msg"]) + (f" ({limit} au plus)" if limit is not None else "")


def checked_metadata(raw: str | bytes | dict | None, name: str = "métadonnées") -> dict:
    """The metadata as a dict of the schema's types (``"8"`` → 8 in the ODD), or a ``bad_metadata``
    error naming the first wrong field."""
    if raw is None or raw == "" or raw == b"":
        return {}
    if isinstance(raw, (str, bytes)) and len(raw) > MAX_METADATA_BYTES:
        raise BadMetadata(f"{name} : trop volumineuses ({MAX_METADATA_BYTES // 1024} Ko au plus)")
    try:
        meta = Metadata.model_validate_json(raw) if isinstance(raw, (str, bytes)) else Metadata.model_validate(raw)
    except ValidationError as exc:
        raise BadMetadata(f"{name} invalides : {_message(exc.errors()[0])}") from None
    extra = meta.model_extra or {}
    if len(meta.model_fields_set) + len(extra) > MAX_FIELDS:
        raise BadMetadata(f"{name} invalides : trop de champs ({MAX_FIELDS} au plus)")
    wrong = next((key for key, value in extra.items() if not _extra_ok(value) or len(key) > 100), None)
    if wrong is not None:
        raise BadMetadata(f"{name} invalides : {wrong[:100]} : une valeur courte ou une liste courte de valeurs "
                          f"est attendue ({MAX_TEXT} caractères, {MAX_LIST} valeurs au plus)")
    return meta.model_dump(mode="json", exclude_unset=True)
