"""The members CSV file's format: its columns, reading the file, and turning one row's cells
into Python values. ``network.csv_import`` checks the rows against the database and applies
them."""

import csv
import io
from collections.abc import Iterator

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from network.models import Consultant

User = get_user_model()

REQUIRED_COLUMNS = ("email", "display_name")
# Columns copied onto the Consultant row; the rest are the key, the status and the lists.
PROFILE_COLUMNS = (
    "display_name",
    "location",
    "timezone",
    "remote_ok",
    "hourly_rate",
    "currency",
    "sliding_scale",
    "pro_bono_hours_per_month",
    "capacity_hours_per_week",
    "website",
    "bio",
)
COLUMNS = (
    "email",
    "display_name",
    "status",
    "location",
    "timezone",
    "remote_ok",
    "languages",
    "hourly_rate",
    "currency",
    "sliding_scale",
    "pro_bono_hours_per_month",
    "capacity_hours_per_week",
    "website",
    "bio",
    "skills",
    "groups",
)
LIST_SEPARATOR = ";"


class ConsultantImportError(Exception):
    """The file cannot be imported; ``errors`` lists every problem as ``line N: field: reason``."""

    def __init__(self, errors: list[str]):
        super().__init__(_("%(count)s error(s) in the file") % {"count": len(errors)})
        self.errors = errors


# --- Parsing cells ---------------------------------------------------------------------------


class YesNoField(forms.Field):
    """A spreadsheet boolean: yes/no, true/false or 1/0, in any case."""

    TRUE = frozenset({"yes", "true", "1"})
    FALSE = frozenset({"no", "false", "0"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        word = str(value).strip().lower()
        if word in self.TRUE:
            return True
        if word in self.FALSE:
            return False
        raise ValidationError(_("Write yes or no (true/false and 1/0 work too)."), code="invalid")


class ConsultantRowForm(forms.Form):
    """One row's cells turned into Python values. Ranges, lengths, URLs, time zones and the
    currency code are checked afterwards by the model's own validation, so the messages are the
    ones the rest of the app shows."""

    email = forms.EmailField(max_length=User._meta.get_field("email").max_length)
    display_name = forms.CharField()
    status = forms.ChoiceField(choices=Consultant.Status.choices, required=False)
    location = forms.CharField(required=False)
    timezone = forms.CharField(required=False)
    remote_ok = YesNoField(required=False)
    languages = forms.CharField(required=False)
    hourly_rate = forms.DecimalField(required=False)
    currency = forms.CharField(required=False)
    sliding_scale = YesNoField(required=False)
    pro_bono_hours_per_month = forms.IntegerField(required=False)
    capacity_hours_per_week = forms.IntegerField(required=False)
    website = forms.CharField(required=False)
    # The model's TextField max_length is enforced only by forms, so it is repeated here.
    bio = forms.CharField(required=False, max_length=Consultant._meta.get_field("bio").max_length)
    skills = forms.CharField(required=False)
    groups = forms.CharField(required=False)


def split_list(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]


def whole_number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


# --- Reading the file -----------------------------------------------------------------------


def decode(content: bytes) -> str:
    try:
        # utf-8-sig drops the byte-order mark spreadsheet programs put at the start.
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ConsultantImportError(
            [
                _("line %(line)s: file: not UTF-8 (byte %(byte)s); save the file as UTF-8")
                % {"line": line, "byte": error.start + 1}
            ]
        ) from error


def read_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line where the record starts, cells) for each non-blank record.

    ``line_num`` counts physical lines, so a quoted cell that spans lines keeps the numbers
    right for the rows after it.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last_line = 0
    try:
        for cells in reader:
            start = last_line + 1
            last_line = reader.line_num
            if any(cell.strip() for cell in cells):
                yield start, cells
    except csv.Error as error:
        raise ConsultantImportError(
            [
                _("line %(line)s: file: not readable as CSV (%(error)s)")
                % {"line": reader.line_num, "error": error}
            ]
        ) from error


def check_header(line: int, cells: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    errors = []
    unnamed = [str(position) for position, name in enumerate(names, start=1) if not name]
    if unnamed:
        errors.append(
            _("line %(line)s: header: column(s) %(columns)s have no name")
            % {"line": line, "columns": ", ".join(unnamed)}
        )
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        errors.append(
            _("line %(line)s: header: unknown column(s) %(columns)s (known columns: %(known)s)")
            % {"line": line, "columns": ", ".join(unknown), "known": ", ".join(COLUMNS)}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        errors.append(
            _("line %(line)s: header: missing required column(s) %(columns)s")
            % {"line": line, "columns": ", ".join(missing)}
        )
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        errors.append(
            _("line %(line)s: header: column(s) %(columns)s appear more than once")
            % {"line": line, "columns": ", ".join(repeated)}
        )
    return errors
