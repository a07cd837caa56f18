"""Exceptions raised by ivrscore.

Everything derives from :class:`IvrscoreError`, so callers can catch broadly or narrowly.
:class:`TreeFileError` is the one users meet most: it carries the file, line, column, node id and
a hint, and its ``str()`` is the single line the command-line interface prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

__all__ = [
    "ArgumentError",
    "FileReadError",
    "ImportedFlowWarning",
    "IvrscoreError",
    "Problem",
    "TreeFileError",
    "UnknownNameError",
]


class IvrscoreError(Exception):
    """Base class of every error ivrscore raises on purpose."""


class ArgumentError(IvrscoreError, ValueError):
    """A parameter given to the API is outside what it can take (``calls=0``): also a
    ``ValueError``, as Python code expects of a bad argument."""


class UnknownNameError(IvrscoreError, KeyError):
    """A name (a queue, a pool, a node) the tree does not have; still a :class:`KeyError`.

    Examples
    --------
    >>> str(UnknownNameError("no staffed queue or pool 'x'"))
    "no staffed queue or pool 'x'"
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""  # the message, not KeyError's repr


class ImportedFlowWarning(UserWarning):
    """A flow imported from a platform needed defaults (task shares, waits, hours) to be filled in.

    :func:`ivrscore.load` emits one when it reads a platform's file; the list of defaults is in
    ``tree.meta["imported"]["warnings"]``, and :func:`ivrscore.importers.read` returns it.
    ``cli_message`` is the same warning with the command line's advice, which the ``ivrscore``
    command prints instead.
    """

    def __init__(self, message: str, *, cli_message: str | None = None) -> None:
        super().__init__(message)
        self.cli_message = cli_message or message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a phone-tree document.

    Attributes
    ----------
    message : str
        What is wrong, in plain words.
    path : tuple of str or int
        Where in the document: keys and list indices from the top, e.g.
        ``("nodes", "main_menu", "options", "2", "next")``.
    node : str or None
        The id of the node the problem is in, when there is one.
    hint : str or None
        What to do about it ("did you mean 'faults_queue'?").
    file : str or None
        The file the document came from.
    line, column : int or None
        1-based position in the file, when known.
    """

    message: str
    path: tuple[str | int, ...] = ()
    node: str | None = None
    hint: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def format(self) -> str:
        """Render as one line: ``file:line:col: node 'id': message; hint``.

        Examples
        --------
        >>> Problem("unknown key 'nxt'", node="welcome", hint="did you mean 'next'?",
        ...         file="tree.yaml", line=4, column=5).format()
        "tree.yaml:4:5: node 'welcome': unknown key 'nxt'; did you mean 'next'?"
        """
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        node = f"node '{self.node}': " if self.node is not None else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{where}{node}{self.message}{hint}"


class TreeFileError(IvrscoreError):
    """A phone-tree document is malformed or inconsistent.

    Raised by :func:`ivrscore.load`, :func:`ivrscore.loads` and by :class:`ivrscore.PhoneTree`
    validation. It holds every problem found (``problems``); its message is the first one, in the
    order they appear in the file, followed by a count of the others.

    Parameters
    ----------
    problems : sequence of Problem
        At least one problem.

    Examples
    --------
    >>> err = TreeFileError([Problem("no such node 'x'", node="a", file="t.yaml", line=3)])
    >>> str(err)
    "t.yaml:3: node 'a': no such node 'x'"
    >>> err.line, err.node
    (3, 'a')
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("TreeFileError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(
            sorted(problems, key=lambda p: (p.line is None, p.line or 0, p.column or 0))
        )
        super().__init__(self._text())

    @classmethod
    def single(
        cls,
        message: str,
        *,
        path: tuple[str | int, ...] = (),
        node: str | None = None,
        hint: str | None = None,
        file: str | None = None,
        line: int | None = None,
    ) -> TreeFileError:
        """Build the error from one problem's fields."""
        return cls([Problem(message, path, node, hint, file, line)])

    def _text(self) -> str:
        first = self.problems[0].format()
        more = len(self.problems) - 1
        return first if more == 0 else f"{first} (and {more} more problem{'s' * (more > 1)})"

    def located(
        self, file: str | None, positions: dict[tuple[str | int, ...], tuple[int, int]]
    ) -> TreeFileError:
        """Return a copy whose problems carry ``file`` and the line of their path.

        ``positions`` maps document paths to ``(line, column)``; the deepest known prefix of each
        problem's path gives its position.
        """
        out = []
        for p in self.problems:
            line, col = p.line, p.column
            if line is None:
                for cut in range(len(p.path), -1, -1):
                    pos = positions.get(p.path[:cut])
                    if pos is not None:
                        line, col = pos
                        break
            out.append(replace(p, file=file if p.file is None else p.file, line=line, column=col))
        return TreeFileError(out)

    @property
    def file(self) -> str | None:
        """File of the first problem."""
        return self.problems[0].file

    @property
    def line(self) -> int | None:
        """Line of the first problem (1-based)."""
        return self.problems[0].line

    @property
    def column(self) -> int | None:
        """Column of the first problem (1-based)."""
        return self.problems[0].column

    @property
    def node(self) -> str | None:
        """Node id of the first problem."""
        return self.problems[0].node

    @property
    def hint(self) -> str | None:
        """Hint of the first problem."""
        return self.problems[0].hint


class FileReadError(TreeFileError, OSError):
    """A file cannot be read at all: missing, a broken link, no permission.

    A :class:`TreeFileError` (so ``except IvrscoreError`` catches every error a user can cause)
    and still an :class:`OSError` with ``errno``, ``strerror`` and ``filename``, as before.

    Examples
    --------
    >>> import ivrscore as ivr
    >>> try:
    ...     ivr.load("no-such-tree.yaml")
    ... except ivr.TreeFileError as exc:
    ...     print(exc, isinstance(exc, FileNotFoundError))
    no-such-tree.yaml: No such file or directory True
    """

    @classmethod
    def of(cls, exc: OSError, path: str) -> FileReadError:
        """The error for ``exc``, raised reading ``path``; ``FileNotFoundError`` and
        ``PermissionError`` keep their own class too."""
        kind = {FileNotFoundError: _FileNotFoundError, PermissionError: _PermissionDeniedError}.get(
            type(exc), cls
        )
        out = kind([Problem(f"{exc.strerror or exc}", file=path)])
        out.errno, out.strerror, out.filename = exc.errno, exc.strerror, path
        return out

    def __str__(self) -> str:
        return self._text()  # one line naming the file, not OSError's "[Errno 2] ..."


class _FileNotFoundError(FileReadError, FileNotFoundError):
    """The file does not exist (or a link points nowhere)."""


class _PermissionDeniedError(FileReadError, PermissionError):
    """The file may not be read."""
