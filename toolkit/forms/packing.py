"""Writing a rendered .docx: the template's entries compressed once, not once per form.

zipfile can only compress what it writes, so a run that writes hundreds of
forms would deflate the template's unchanged entries once per form. These
helpers write the same bytes zipfile writes (local headers from
ZipInfo.FileHeader, the central directory laid out as zipfile lays it out),
from entries compressed beforehand.
"""

from __future__ import annotations

import copy
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

_CENTRAL_DIR = struct.Struct("<4s4B4HL2L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")
_ZIP_SMALL = 0x7FFF_FFFF  # beyond this (never for a form) zipfile itself writes the zip


@dataclass
class Packed:
    info: zipfile.ZipInfo
    data: bytes  # deflated
    raw: bytes | None = None  # kept only for entries too large for the fast path


def pack(template: zipfile.ZipInfo, data: bytes) -> Packed:
    info = copy.copy(template)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.flag_bits = 0
    info.file_size = len(data)
    info.CRC = zlib.crc32(data)
    # zipfile's own compressor for ZIP_DEFLATED at the default level.
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    deflated = compressor.compress(data) + compressor.flush()
    info.compress_size = len(deflated)
    return Packed(info, deflated, data if len(data) > _ZIP_SMALL else None)


def zip_entries(entries: list[Packed]) -> bytes:
    if any(e.raw is not None for e in entries) or len(entries) > 0xFFFF:
        return _zip_with_zipfile(entries)
    chunks: list[bytes] = []
    offsets: list[int] = []
    offset = 0
    for e in entries:
        header = e.info.FileHeader(False)
        offsets.append(offset)
        chunks += (header, e.data)
        offset += len(header) + len(e.data)
    if offset > _ZIP_SMALL:
        return _zip_with_zipfile(entries)
    start = offset
    for e, at in zip(entries, offsets, strict=True):
        info = e.info
        name, flags = _encoded_name(info)
        y, mo, d, h, mi, sec = info.date_time
        chunks.append(
            _CENTRAL_DIR.pack(
                b"PK\x01\x02",
                info.create_version,
                info.create_system,
                info.extract_version,
                info.reserved,
                flags,
                info.compress_type,
                h << 11 | mi << 5 | sec // 2,
                (y - 1980) << 9 | mo << 5 | d,
                info.CRC,
                info.compress_size,
                info.file_size,
                len(name),
                len(info.extra),
                len(info.comment),
                0,
                info.internal_attr,
                info.external_attr,
                at,
            )
        )
        chunks += (name, info.extra, info.comment)
        offset += _CENTRAL_DIR.size + len(name) + len(info.extra) + len(info.comment)
    count = len(entries)
    chunks.append(_END_RECORD.pack(b"PK\x05\x06", 0, 0, count, count, offset - start, start, 0))
    return b"".join(chunks)


def _encoded_name(info: zipfile.ZipInfo) -> tuple[bytes, int]:
    try:
        return info.filename.encode("ascii"), info.flag_bits
    except UnicodeEncodeError:
        return info.filename.encode("utf-8"), info.flag_bits | 0x800


def _zip_with_zipfile(entries: list[Packed]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for e in entries:
            data = e.raw if e.raw is not None else zlib.decompress(e.data, -15)
            out.writestr(copy.copy(e.info), data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
