#!/usr/bin/python3
"""Fails when an #include runs upward between the rooms of the code.

The rooms and their order are read from the top README's layout section, from the line
    Include order: sim/analytic/ < sim/ < models/io/ < ... < tools/
A file in a room may include files of its own room and of rooms to its left, never to its right.
usage: tools/check_layers.py [REPOSITORY_ROOT]   (exit 0: none upward, 1: some, 2: bad usage)
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def room_order(readme):
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.startswith("Include order:"):
            return [room.strip(" `") for room in line.split(":", 1)[1].split("<")]
    sys.exit(f"check_layers: {readme}: found no line 'Include order: A < B < ...'")


def room_of(path, rooms):
    """The longest room that holds `path` (sim/analytic/ before sim/), or None."""
    holders = [r for r in rooms if path.startswith(r)]
    return max(holders, key=len) if holders else None


def upward_includes(root, rooms):
    rank = {room: i for i, room in enumerate(rooms)}
    for file in sorted(root.glob("**/*.[ch]pp")):
        relative = file.relative_to(root).as_posix()
        own = room_of(relative, rooms)
        if own is None:
            continue  # tests/ and build folders may include anything
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target = room_of(match.group(1), rooms)
            if target is not None and rank[target] > rank[own]:
                yield f"{relative}:{number}: includes {match.group(1)} ({target} is above {own})"


def main():
    if len(sys.argv) > 2:
        sys.exit(2)
    root = pathlib.Path(sys.argv[1] if len(sys.argv) == 2 else ".").resolve()
    rooms = room_order(root / "README.md")
    problems = list(upward_includes(root, rooms))
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_layers: {len(problems)} upward includes; the order is: {' < '.join(rooms)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
