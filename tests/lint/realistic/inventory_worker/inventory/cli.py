import asyncio
import sys

from inventory.database import ensure_extensions
from inventory.stock import report, restock


async def main(argv: list[str]) -> int:
    await ensure_extensions()
    if argv and argv[0] == "restock":
        print(await restock(argv[1], int(argv[2])))
    else:
        for code, total in (await report()).items():
            print(code, total)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(sys.argv[1:])))
