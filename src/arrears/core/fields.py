"""Model fields for personal identifiers kept encrypted at rest (``core.crypto``).

``EncryptedTextField`` seals its value on every write through the ORM and opens it on
every read, so the application sees clear text and the database only ciphertext. A
``BlindIndexField`` beside it (``source=`` the encrypted field) keeps the keyed index of
the normalised value, set on every ORM save.

Searching: ``filter(id_number=x)`` (also ``iexact`` and ``in``) on an encrypted field that
has a blind index compares the index column with the index of ``x`` — an exact match of the
normalised value (so ``138 0013 8000`` finds ``13800138000``). Every other lookup
(``contains``, ``startswith``, ordering by meaning …) cannot work on ciphertext and is
refused with a ``FieldError`` rather than silently matching nothing; ``= ''`` still works
(the empty string is stored empty).

Writes that bypass the ORM (``core.bulk.bulk_insert``, a cursor) must seal the value
themselves with ``seal`` and fill the index with ``index_of``; ``QuerySet.update()`` of an
indexed value must set the index too. ``arrears keys status`` finds values written around.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import EmptyResultSet, FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.compiler import SQLCompiler

from arrears.core.crypto import blind_index, decrypt, encrypt

INDEX_MAX_LENGTH = 64


class EncryptedTextField(models.TextField):
    """Text stored as AES-256-GCM ciphertext bound to its column; ``max_length`` limits
    the clear value in forms (the stored form is longer)."""

    description = "Encrypted text"

    @property
    def context(self) -> str:
        """What the ciphertext is bound to: ``table.column``."""
        return f"{self.model._meta.db_table}.{self.column}"

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None:
            return None
        return decrypt(value, context=self.context)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value), context=self.context)

    def formfield(
        self,
        form_class: Any = None,
        choices_form_class: Any = None,
        **kwargs: Any,
    ) -> Any:
        # A one-line input like the CharField it replaces, not a text area.
        kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(
            form_class=form_class, choices_form_class=choices_form_class, **kwargs
        )

    def blind_index_field(self) -> BlindIndexField | None:
        """The index kept beside this field, if any."""
        for field in self.model._meta.concrete_fields:
            if isinstance(field, BlindIndexField) and field.source == self.name:
                return field
        return None

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name in ("exact", "iexact"):
            return IndexedExact
        if lookup_name == "in":
            return IndexedIn
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None

    def get_transform(self, lookup_name: str) -> Any:
        return None


class BlindIndexField(models.CharField):
    """The keyed index (``core.crypto.blind_index``) of the encrypted field ``source``,
    computed on every ORM save. ``scheme`` says how the value is normalised (``phone``,
    ``email``, ``id``, ``address``); ``scheme_field`` names a field of the row that holds
    it instead (a contact point's kind)."""

    description = "Blind index"

    def __init__(
        self, *args: Any, source: str = "", scheme: str = "", scheme_field: str = "", **kwargs: Any
    ) -> None:
        self.source, self.scheme, self.scheme_field = source, scheme, scheme_field
        kwargs.setdefault("max_length", INDEX_MAX_LENGTH)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.scheme:
            kwargs["scheme"] = self.scheme
        if self.scheme_field:
            kwargs["scheme_field"] = self.scheme_field
        for key, value in (
            ("max_length", INDEX_MAX_LENGTH),
            ("blank", True),
            ("default", ""),
            ("editable", False),
        ):
            if kwargs.get(key) == value:
                del kwargs[key]
        return name, path, args, kwargs

    def scheme_of(self, instance: models.Model) -> str:
        return self.scheme or str(getattr(instance, self.scheme_field))

    def schemes(self) -> list[str]:
        """Every scheme a row's value may be indexed under (one, or the kind's choices)."""
        if self.scheme:
            return [self.scheme]
        choices = getattr(self.model._meta.get_field(self.scheme_field), "choices", None) or []
        return [str(choice[0]) for choice in choices]

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.source) or ""
        index = blind_index(str(value), scheme=self.scheme_of(model_instance))
        setattr(model_instance, self.attname, index)
        return index


def _field(lhs: Any) -> EncryptedTextField:
    field = lhs.output_field
    assert isinstance(field, EncryptedTextField)
    return field


class _Indexed(Lookup):
    """A comparison of an encrypted column done on its blind index."""

    prepare_rhs = False

    def _index_sql(self, compiler: SQLCompiler, values: Iterable[str]) -> tuple[str, list[Any]]:
        field = _field(self.lhs)
        index = field.blind_index_field()
        if index is None:
            raise FieldError(f"{field.context} is encrypted and has no blind index: no search")
        if not isinstance(self.lhs, Col):
            raise FieldError(f"{field.context} is encrypted: compare the column itself")
        wanted = sorted(
            {blind_index(value, scheme=scheme) for value in values for scheme in index.schemes()}
        )
        if not wanted:
            raise EmptyResultSet
        column, params = compiler.compile(Col(self.lhs.alias, index))
        marks = ", ".join(["%s"] * len(wanted))
        return f"{column} IN ({marks})", [*params, *wanted]

    def _direct(self, value: Any) -> str:
        if hasattr(value, "resolve_expression"):
            raise FieldError(f"{_field(self.lhs).context} is encrypted: compare it with a value")
        return str(value)


class IndexedExact(_Indexed):
    lookup_name = "exact"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        value = self._direct(self.rhs)
        if value == "":
            column, params = self.process_lhs(compiler, connection)
            return f"{column} = %s", [*params, ""]
        return self._index_sql(compiler, [value])


class IndexedIn(_Indexed):
    lookup_name = "in"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        if hasattr(self.rhs, "resolve_expression"):
            self._direct(self.rhs)
        values = [self._direct(value) for value in self.rhs if value is not None]
        if "" in values:
            raise FieldError(f"{_field(self.lhs).context}: test for '' on its own")
        return self._index_sql(compiler, values)


def encrypted_field(model: type[models.Model], name: str) -> EncryptedTextField:
    field = model._meta.get_field(name)
    if not isinstance(field, EncryptedTextField):
        raise TypeError(f"{model.__name__}.{name} is not an encrypted field")
    return field


def seal(model: type[models.Model], name: str, value: str) -> str:
    """``value`` as the encrypted column ``model.name`` stores it (for bulk and raw
    writes; the ORM does this itself)."""
    return encrypt(value, context=encrypted_field(model, name).context)


def index_of(value: str, *, scheme: str) -> str:
    """The blind index of ``value`` (for bulk and raw writes of an index column)."""
    return blind_index(value, scheme=scheme)


def encrypted_columns() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Every encrypted field of every installed model (``arrears keys``)."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]
