"""Report exports: one table (header, rows, at most one totals row) written as CSV or
XLSX and streamed as an attachment.

Every report answers ``format=json`` (default), ``csv`` or ``xlsx``; for the files it
builds a :class:`Sheet` (``reports/sheets.py`` turns each report into one) and answers
``export(sheet, fmt, "tracked-hours")``. A sheet is plain values, read before the
answer: writing it touches no database. The writing runs in the response's iteration
(Starlette iterates a plain generator in its thread pool), so a large file does not hold
the event loop.

- CSV: UTF-8, a header row, the rows, the totals row last (if any). A text cell that a
  spreadsheet would run as a formula (starting with ``= + - @``, a tab or a carriage
  return) is written with a leading apostrophe.
- XLSX (xlsxwriter in ``constant_memory`` mode, rows written in order): typed cells
  (integers and money as numbers, dates as dates), a bold header row frozen above the
  rows, the totals row in bold."""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import xlsxwriter
from fastapi import Query
from fastapi.responses import StreamingResponse

from webwork.kit.types import decimal_to_number

CHUNK = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


FormatQuery = Annotated[
    ExportFormat, Query(description="json (default), csv or xlsx (both as a file attachment)")
]

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# The files beside the JSON envelope, for the OpenAPI document: ``responses=EXPORT_RESPONSES``.
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report (JSON), or with format=csv|xlsx the report as a file attachment",
        "content": {
            CONTENT_TYPES[ExportFormat.CSV].split(";")[0]: {"schema": {"type": "string"}},
            CONTENT_TYPES[ExportFormat.XLSX]: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


class Kind(StrEnum):
    """How a column's cells are typed in XLSX (CSV writes them all as text)."""

    INTEGER = "integer"
    TEXT = "text"
    DATE = "date"
    MONEY = "money"
    NUMBER = "number"  # a percentage such as 87.5


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class Sheet:
    """A report as one table. ``totals`` is the one totals row (same width), or None."""

    name: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    totals: Sequence[Any] | None = None


@dataclass(frozen=True)
class RowStream:
    """A report as one table whose rows are read from the database while the file is
    sent, a batch at a time (a year of every member); ``totals`` gives the totals row
    once the batches are out (or None)."""

    name: str
    columns: Sequence[Column]
    batches: AsyncIterator[Sequence[Sequence[Any]]]
    totals: Callable[[], Sequence[Any] | None]


def export(sheet: Sheet, fmt: ExportFormat, filename: str) -> StreamingResponse:
    """The sheet as a ``<filename>.csv`` or ``.xlsx`` attachment, streamed."""
    assert fmt is not ExportFormat.JSON, "JSON answers go through kit.envelope.respond"
    body = csv_chunks(sheet) if fmt is ExportFormat.CSV else xlsx_chunks(sheet)
    return StreamingResponse(
        body,
        media_type=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt.value}"'},
    )


def export_stream(stream: RowStream, fmt: ExportFormat, filename: str) -> StreamingResponse:
    """The stream as a ``<filename>.csv`` or ``.xlsx`` attachment, written as its rows
    arrive: memory holds a batch of rows (and, for XLSX, xlsxwriter's constant_memory
    row), never the table. The XLSX file is assembled in a temporary file; the
    writing and zipping run in worker threads, off the event loop."""
    assert fmt is not ExportFormat.JSON, "JSON answers go through kit.envelope.respond"
    body = csv_stream(stream) if fmt is ExportFormat.CSV else xlsx_stream(stream)
    return StreamingResponse(
        body,
        media_type=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt.value}"'},
    )


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(decimal_to_number(value))
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_chunks(sheet: Sheet) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.title for c in sheet.columns])
    lines = [*sheet.rows, *([sheet.totals] if sheet.totals is not None else [])]
    for row in lines:
        writer.writerow([csv_text(value) for value in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


async def csv_stream(stream: RowStream) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.title for c in stream.columns])
    async for batch in stream.batches:
        writer.writerows([csv_text(value) for value in row] for row in batch)
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    totals = stream.totals()
    if totals is not None:
        writer.writerow([csv_text(value) for value in totals])
    yield buffer.getvalue().encode()


class Book:
    """One XLSX sheet in xlsxwriter's ``constant_memory`` mode (each row written out
    once the next begins): a bold header row frozen above the rows, typed cells, a
    bold totals row."""

    def __init__(self, output: Any, name: str, columns: Sequence[Column]) -> None:
        self.book = xlsxwriter.Workbook(output, {"constant_memory": True})
        self.columns = columns
        self.bold = self.book.add_format({"bold": True})
        self.formats = {
            Kind.DATE: self.book.add_format({"num_format": "yyyy-mm-dd"}),
            Kind.MONEY: self.book.add_format({"num_format": "0.00"}),
        }
        self.bold_formats = {
            Kind.DATE: self.book.add_format({"num_format": "yyyy-mm-dd", "bold": True}),
            Kind.MONEY: self.book.add_format({"num_format": "0.00", "bold": True}),
        }
        self.page = self.book.add_worksheet(name[:31])
        self.page.freeze_panes(1, 0)
        for col, column in enumerate(columns):
            self.page.write_string(0, col, column.title, self.bold)
            self.page.set_column(col, col, max(10, len(column.title) + 2))
        self.next_row = 1

    def rows(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            write_row(self.page, self.next_row, self.columns, row, self.formats, None)
            self.next_row += 1

    def close(self, totals: Sequence[Any] | None) -> None:
        if totals is not None:
            write_row(self.page, self.next_row, self.columns, totals, self.bold_formats, self.bold)
        self.book.close()


def xlsx_chunks(sheet: Sheet) -> Iterator[bytes]:
    output = io.BytesIO()
    book = Book(output, sheet.name, sheet.columns)
    book.rows(sheet.rows)
    book.close(sheet.totals)
    data = output.getbuffer()
    for offset in range(0, len(data), CHUNK):
        yield bytes(data[offset : offset + CHUNK])


async def xlsx_stream(stream: RowStream) -> AsyncIterator[bytes]:
    with tempfile.TemporaryFile() as output:
        book = Book(output, stream.name, stream.columns)
        async for batch in stream.batches:
            await asyncio.to_thread(book.rows, batch)
        await asyncio.to_thread(book.close, stream.totals())
        output.seek(0)
        while chunk := await asyncio.to_thread(output.read, CHUNK):
            yield chunk


def write_row(
    page: Any, number: int, columns: Sequence[Column], row: Sequence[Any], formats: dict[Kind, Any], text: Any
) -> None:
    """One row, each cell as its column's kind (a value of another type, such as the
    totals row's label, as text)."""
    for col, (column, value) in enumerate(zip(columns, row, strict=True)):
        if value is None:
            page.write_blank(number, col, None, text)
        elif column.kind in (Kind.INTEGER, Kind.NUMBER) and isinstance(value, int | float):
            page.write_number(number, col, value, text)
        elif column.kind is Kind.MONEY and isinstance(value, Decimal | int | float):
            page.write_number(number, col, float(value), formats[Kind.MONEY])
        elif column.kind is Kind.DATE and isinstance(value, date):
            page.write_datetime(number, col, datetime.combine(value, datetime.min.time()), formats[Kind.DATE])
        else:
            page.write_string(number, col, str(value), text)
