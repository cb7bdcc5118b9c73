"""The members CSV file's format: its columns, reading the file, and turning one row's cells
into Python values. ``network.csv_import`` checks the rows against the database and applies
them."""

import csv
import io
from collections.abc import Iterator

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

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
        super().__init__(f"{len(errors)} error(s) in the file")
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
        raise ValidationError("Write yes or no (true/false and 1/0 work too).", code="invalid")


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
            [f"line {line}: file: not UTF-8 (byte {error.start + 1}); save the file as UTF-8"]
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
            [f"line {reader.line_num}: file: not readable as CSV ({error})"]
        ) from error


def check_header(line: int, cells: list[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    errors = []
    unnamed = [str(position) for position, name in enumerate(names, start=1) if not name]
    if unnamed:
        errors.append(f"line {line}: header: column(s) {', '.join(unnamed)} have no name")
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        errors.append(
            f"line {line}: header: unknown column(s) {', '.join(unknown)} "
            f"(known columns: {', '.join(COLUMNS)})"
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        errors.append(f"line {line}: header: missing required column(s) {', '.join(missing)}")
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        errors.append(f"line {line}: header: column(s) {', '.join(repeated)} appear more than once")
    return errors
