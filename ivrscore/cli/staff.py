"""``ivrscore staff FILE --sl 80/20 --max-abandon 5%``: rosters that meet a service target."""

from __future__ import annotations

import argparse
from typing import Any

from ..exceptions import IvrscoreError
from ..io import dump
from ..loading import load
from ._app import EXIT_OK
from ._output import dumps

__all__ = ["parse_service_level", "parse_share", "register", "run"]


def parse_service_level(text: str) -> tuple[float, float]:
    """``"80/20"`` -> ``(0.8, 20.0)``: a share (percent) answered within seconds.

    Examples
    --------
    >>> parse_service_level("80/20"), parse_service_level("0.9/30")
    ((0.8, 20.0), (0.9, 30.0))
    """
    try:
        share, within = text.replace("%", "").split("/")
        s, w = float(share), float(within)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give the service level as PERCENT/SECONDS, e.g. 80/20"
        ) from None
    s = s / 100 if s > 1 else s
    if not (0 < s <= 1 and w >= 0):
        raise argparse.ArgumentTypeError(f"{text!r}: a share from 0 to 100% and seconds >= 0")
    return s, w


def parse_share(text: str) -> float:
    """``"5%"`` or ``"0.05"`` -> ``0.05``.

    Examples
    --------
    >>> parse_share("5%"), parse_share("0.05")
    (0.05, 0.05)
    """
    try:
        v = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: a share such as 5% or 0.05") from None
    v = v / 100 if text.endswith("%") or v > 1 else v
    if not 0 <= v <= 1:
        raise argparse.ArgumentTypeError(f"{text!r}: a share from 0 to 100%")
    return v


def register(sub: Any) -> None:
    p = sub.add_parser(
        "staff",
        help="fewest agents per queue and hour that meet a service level",
        description="For a tree with a volume:, find the fewest agents per staffed queue (or "
        "pool) and hour of the week that answer a share of calls within a time and keep "
        "abandonment under a cap (Erlang A per hour, with the load the menu sends each queue). "
        "With -o, write the tree with these rosters in place.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--sl",
        type=parse_service_level,
        default=(0.8, 20.0),
        metavar="PERCENT/SECONDS",
        help="service level, e.g. 80/20: 80%% of calls answered within 20 s (default)",
    )
    p.add_argument(
        "--max-abandon",
        type=parse_share,
        default=0.05,
        metavar="SHARE",
        help="at most this share of calls give up waiting (default 5%%)",
    )
    p.add_argument(
        "-o", "--output", metavar="ROSTERED.yaml", help="write the tree with the rosters"
    )
    p.add_argument(
        "--check-weeks",
        type=int,
        default=2,
        metavar="N",
        help="check the rosters in N simulated weeks of the centre (default 2; 0: do not)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..workforce import staff

    tree = load(args.file)
    try:
        plan = staff(tree, service_level=args.sl, max_abandon=args.max_abandon)
    except ValueError as exc:  # pragma: no cover - the API raises IvrscoreError
        raise IvrscoreError(str(exc)) from None
    checked = plan.check(weeks=args.check_weeks) if args.check_weeks > 0 else None
    if args.format == "json":
        doc = plan.to_dict()
        if checked is not None:
            doc["simulated"] = {
                name: {
                    "service_level": checked.figure(name, "service_level"),
                    "p_abandon": checked.figure(name, "p_abandon"),
                }
                for name in plan.names
            }
        print(dumps(doc))
    else:
        print(plan.text(checked))
    if args.output:
        dump(plan.apply(), args.output)
        if args.format == "text":
            print(f"\nwrote {args.output}")
    return EXIT_OK
