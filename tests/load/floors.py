"""The two floors the load run measures the product against, served by the same gunicorn.

* framework floor: ``GET /_floor/json/``, a bare Django view answering a small JSON object:
  what the stack (gunicorn, middleware, URL resolving) costs before any work is done;
* write floor: ``POST /_floor/write/``, a bare DRF view that validates ten fields with a
  serializer and inserts one row: the least a validated public write can cost on this database.

The row goes into ``load_floor_row``, a harness table made with raw SQL (``floor_table_ensure``),
so no app, model or migration is added to the product.
"""

from django.db import connection
from django.http import JsonResponse
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

FLOOR_TABLE = "load_floor_row"

_COLUMNS = """
    name varchar(200) NOT NULL,
    email varchar(254) NOT NULL,
    website varchar(200) NOT NULL,
    title varchar(200) NOT NULL,
    description text NOT NULL,
    urgency varchar(20) NOT NULL,
    budget numeric(10, 2) NULL,
    hours integer NULL,
    pro_bono boolean NOT NULL,
    desired_start date NULL,
    created_at timestamp with time zone NOT NULL
"""
_ID = {
    "postgresql": "id bigserial PRIMARY KEY",
    "sqlite": "id integer PRIMARY KEY AUTOINCREMENT",
}
FIELDS = (
    "name",
    "email",
    "website",
    "title",
    "description",
    "urgency",
    "budget",
    "hours",
    "pro_bono",
    "desired_start",
)


def floor_table_ensure(using=connection) -> None:
    """Create the write floor's table if it is not there yet (PostgreSQL or SQLite)."""
    identity = _ID[using.vendor]
    with using.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} ({identity}, {_COLUMNS})")  # noqa: S608


def floor_rows_count(using=connection) -> int:
    with using.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {FLOOR_TABLE}")  # noqa: S608
        return cursor.fetchone()[0]


def json_floor(request):
    """The framework floor: no database, no serializer, no template."""
    return JsonResponse({"ok": True, "path": request.path})


class FloorRowSerializer(serializers.Serializer):
    """Ten fields, validated as a public form would be."""

    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    website = serializers.URLField(max_length=200, required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000)
    urgency = serializers.ChoiceField(choices=["low", "normal", "high", "emergency"])
    budget = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, default=None
    )
    hours = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    pro_bono = serializers.BooleanField(required=False, default=False)
    desired_start = serializers.DateField(required=False, allow_null=True, default=None)


_INSERT = (
    f"INSERT INTO {FLOOR_TABLE} ({', '.join(FIELDS)}, created_at) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(FIELDS))}, CURRENT_TIMESTAMP) RETURNING id"
)


class WriteFloorView(APIView):
    """The write floor: anonymous, unthrottled, one validated insert, 201 with the row's id."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = ()

    def post(self, request):
        serializer = FloorRowSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = [serializer.validated_data[field] for field in FIELDS]
        with connection.cursor() as cursor:
            cursor.execute(_INSERT, values)
            row_id = cursor.fetchone()[0]
        return Response({"id": row_id}, status=status.HTTP_201_CREATED)
