"""Rewrites a zip archive with the same entries, in the same order, all dated DATE (UTC, YYYY-MM-DD).

Usage: zip-redate.py ARCHIVE DATE

OTP 25's :zip (what `mix archive.build` uses with the bookworm toolchain) writes the DOS time's seconds
undivided into their 5-bit field: an archive made in second 30 or 31 of a minute says 60 or 62 seconds.
OTP 27's zip:extract to disk (trixie's erlang-base 1:27.3.4.1+dfsg-1+deb13u4 and later) then fails with
{error, badarg} when it sets the extracted files' times, so `mix local.hex` fails on that toolchain for
such an archive. Rewritten with one valid date, the archive extracts on every OTP and is reproducible.
"""

import datetime
import os
import sys
import zipfile


def main() -> None:
    archive, date = sys.argv[1], sys.argv[2]
    day = datetime.date.fromisoformat(date)
    date_time = (day.year, day.month, day.day, 0, 0, 0)
    with zipfile.ZipFile(archive) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    partial = archive + ".redate"
    with zipfile.ZipFile(partial, "w") as target:
        for info, data in entries:
            copy = zipfile.ZipInfo(info.filename, date_time=date_time)
            copy.compress_type = info.compress_type
            copy.external_attr = info.external_attr
            copy.create_system = 3  # Unix: external_attr holds the mode
            target.writestr(copy, data)
    with zipfile.ZipFile(partial) as check:
        bad = check.testzip()
        if bad is not None:
            sys.exit(f"zip-redate: {partial}: {bad} does not read back")
        if [info.filename for info in check.infolist()] != [info.filename for info, _ in entries]:
            sys.exit(f"zip-redate: {partial}: the entries differ from {archive}'s")
    os.replace(partial, archive)


if __name__ == "__main__":
    main()
