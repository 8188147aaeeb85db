"""The `workbench` command: token, decode, key, serve and gui (CONTRACT.md section 1).

Exit codes: 0 success, 1 the input was read and found invalid, 2 usage or environment problem.
Every failure is one line on stderr; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from workbench import __version__, keys
from workbench.paths import data_dir
from workbench.sso import Payload, PayloadError, SigningError, decode, prepare_claims, sign
from workbench.sso.diff import diff_claims, diff_lines, short
from workbench.sso.findings import has_errors
from workbench.sso.payload import MAX_PAYLOAD_BYTES
from workbench.sso.rules import ValidationContext, validate_payload
from workbench.sso.snippets import LANGUAGES, snippet
from workbench.sso.tokens import MAX_TOKEN_LENGTH, extract_token
from workbench.textfiles import TextFileError, decode_text, read_text_file

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A failure to report as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line saying where to look, exit 2."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{self.prog}: {message}; see `{self.prog} --help`")


_EXAMPLES = """\
examples:
  workbench key generate                       store a new key for the local emulator
  workbench token --payload dana.json          print a signed token (iat now, exp now + 60)
  workbench token --payload - < dana.json | workbench decode
  workbench serve --port 8765                  run the local community emulator
  workbench gui                                open the desktop workbench
"""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="workbench",
        description="Sign, validate and try out the community platform's JWT SSO, offline.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    parser.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="add the workbench to this user's application menu (entry, icons, AppStream data)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.add_argument(
            "--community",
            default=keys.DEFAULT_COMMUNITY,
            metavar="DOMAIN",
            help="the community whose key is used (default: localhost, the local emulator)",
        )
        return p

    token = add(
        "token",
        "Print one signed HS256 token for a payload; findings go to stderr.",
        "workbench token --payload resources/payloads/dana.json --ttl 60",
    )
    token.add_argument("--payload", metavar="FILE", help="the payload JSON file, or - for stdin")
    token.add_argument(
        "--ttl",
        type=_positive_int,
        default=60,
        metavar="SECONDS",
        help="seconds until exp, unless the payload has exp (default 60)",
    )
    token.add_argument("--no-exp", action="store_true", help="add no exp (warns no_expiry)")
    token.add_argument(
        "--clock-offset",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="sign as if the clock were this far off (e.g. -120: two minutes "
        "slow), to reproduce a skewed server",
    )
    token.add_argument(
        "--allow-invalid",
        action="store_true",
        help="print the token even with error-level findings",
    )

    dec = add(
        "decode",
        "Decode a token (or an SSO URL), verify it and print header, payload and findings as JSON.",
        "workbench decode eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIi...  (or - for stdin)",
    )
    dec.add_argument(
        "token",
        nargs="?",
        default="-",
        metavar="TOKEN",
        help="the token, or - (the default) to read it from stdin",
    )
    dec.add_argument(
        "--no-verify", action="store_true", help="do not check the signature (no key needed)"
    )
    dec.add_argument(
        "--clock-offset",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="validate as if the clock were this far off",
    )

    key = add(
        "key",
        "Manage the SSO private key in the OS keyring.",
        "workbench key set --stdin < key.txt   |   workbench key show",
    )
    key_sub = key.add_subparsers(dest="key_command", metavar="ACTION", parser_class=_Parser)
    for name, text in (
        ("set", "store a key (typed at a hidden prompt, or --stdin)"),
        ("generate", "generate and store a new random key (for the local emulator)"),
        ("show", "print the key masked (first 4 characters), or --reveal it"),
        ("delete", "remove the stored key"),
    ):
        action = key_sub.add_parser(name, help=text, description=text)
        action.add_argument(
            "--community",
            default=argparse.SUPPRESS,
            metavar="DOMAIN",
            help="the community (default: localhost)",
        )
        if name == "set":
            action.add_argument("--stdin", action="store_true", help="read the key from stdin")
        if name == "show":
            action.add_argument("--reveal", action="store_true", help="print the whole key")

    diff = add(
        "diff",
        "Compare two tokens or payloads claim by claim, and say what the community would "
        "change for the member.",
        "workbench diff old-token new-payload.json",
    )
    diff.add_argument("old", metavar="OLD", help="a token, an SSO URL or a payload JSON file")
    diff.add_argument("new", metavar="NEW", help="a token, an SSO URL or a payload JSON file")
    diff.add_argument(
        "--fixture",
        metavar="FILE",
        help="the community to replay on (default: the sample community)",
    )
    diff.add_argument("--json", action="store_true", help="print the result as JSON")

    attack = add(
        "attack",
        "Run a battery of deliberately wrong tokens made from the payload and check each verdict.",
        "workbench attack --payload dana.json --html report.html   (a throwaway emulator)",
    )
    attack.add_argument("--payload", metavar="FILE", help="the payload JSON file, or - for stdin")
    attack.add_argument(
        "--target",
        metavar="URL",
        help="a running emulator or a community (default: a throwaway emulator)",
    )
    attack.add_argument("--fixture", metavar="FILE", help="the throwaway emulator's community")
    attack.add_argument("--json", metavar="FILE", dest="json_out", help="write the results as JSON")
    attack.add_argument("--html", metavar="FILE", dest="html_out", help="write an HTML report")

    scen = add(
        "scenario",
        "Run a scenario file of SSO steps and check each outcome and the member afterwards.",
        "workbench scenario resources/scenarios/replace-vs-add.json",
    )
    scen.add_argument("file", metavar="FILE", help="the scenario (JSON or YAML)")
    scen.add_argument(
        "--target",
        metavar="URL",
        help="a running `workbench serve` (default: a throwaway emulator)",
    )
    scen.add_argument("--fixture", metavar="FILE", help="the throwaway emulator's community")
    scen.add_argument("--data-dir", metavar="DIR", help="where personas are saved")

    snip = add(
        "snippet",
        "Print signing code for the payload: node, python, php, ruby, go, java or csharp.",
        "workbench snippet --lang node --payload resources/payloads/dana.json",
    )
    snip.add_argument(
        "--lang",
        required=True,
        choices=sorted(LANGUAGES),
        metavar="LANG",
        help="one of: " + ", ".join(LANGUAGES),
    )
    snip.add_argument("--payload", metavar="FILE", help="the payload JSON file, or - for stdin")
    snip.add_argument(
        "--ttl",
        type=_positive_int,
        default=60,
        metavar="SECONDS",
        help="seconds from iat to exp in the generated code (default 60)",
    )

    serve = add(
        "serve",
        "Run the community emulator headless.",
        "workbench serve --port 0 --fixture community.json",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8765)
    serve.add_argument("--data-dir", metavar="DIR")
    serve.add_argument("--fixture", metavar="FILE")
    serve.add_argument(
        "--clock-offset",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="run the community's clock this far off (also PUT "
        "/_workbench/api/clock), to reproduce skew and expiry",
    )

    gui = add("gui", "Open the desktop workbench.", "workbench gui --payload dana.json")
    gui.add_argument("--data-dir", metavar="DIR")
    gui.add_argument("--payload", metavar="FILE")
    gui.add_argument(
        "--screenshot",
        metavar="PNG",
        help="render the window after logging in with the payload, save, exit",
    )
    gui.add_argument("--fixture", metavar="FILE", help=argparse.SUPPRESS)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the ttl must be at least 1 second")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value != value or abs(value) > 10 * 365 * 86400:
        raise argparse.ArgumentTypeError("the clock offset must be within ten years")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is outside 0-65535")
    return value


# ---- reading input ---------------------------------------------------------------------------


def read_input(source: str, what: str, limit: int) -> str:
    """Text from a file or `-` (stdin), at most `limit` bytes, as UTF-8."""
    try:
        if source != "-":
            return read_text_file(source, f"{what} file", limit)
        if sys.stdin is None or sys.stdin.closed:
            raise CliError(f"no {what} on stdin; pass a file or pipe the {what} in")
        return decode_text(sys.stdin.buffer.read(limit + 1), f"{what} from stdin", limit)
    except TextFileError as exc:
        raise CliError(str(exc), EXIT_USAGE if exc.unreadable else EXIT_INVALID) from None


def load_payload(source: str | None) -> Payload:
    if source is None:
        if sys.stdin is None or sys.stdin.closed or sys.stdin.isatty():
            raise CliError(
                "no payload: pass --payload FILE (a JSON object with sub, name and email) "
                "or --payload - to read it from stdin"
            )
        source = "-"
    text = read_input(source, "payload", MAX_PAYLOAD_BYTES)
    if not text.strip():
        raise CliError(
            "the payload is empty; it must be a JSON object with sub, name and email", EXIT_INVALID
        )
    try:
        return Payload.from_json(text)
    except PayloadError as exc:
        raise CliError(str(exc), EXIT_INVALID) from None


def require_key(community: str) -> str:
    try:
        return keys.get_key(community)
    except keys.KeyStoreError as exc:
        raise CliError(str(exc)) from None


# ---- commands --------------------------------------------------------------------------------


def cmd_token(args: argparse.Namespace) -> int:
    payload = load_payload(args.payload)
    key = require_key(args.community)
    now = time.time() + args.clock_offset
    claims = prepare_claims(payload, ttl=None if args.no_exp else args.ttl, now=now)
    findings = validate_payload(claims, ValidationContext(now=now))
    for finding in findings:
        print(finding.as_line(), file=sys.stderr)
    if has_errors(findings) and not args.allow_invalid:
        print(
            "workbench token: not signed because of the errors above "
            "(--allow-invalid signs anyway)",
            file=sys.stderr,
        )
        return EXIT_INVALID
    try:
        print(sign(claims, key))
    except SigningError as exc:
        raise CliError(str(exc), EXIT_INVALID) from None
    return EXIT_OK


def payload_of(argument: str) -> dict[str, Any]:
    """A payload from a JSON file, or from a token or SSO URL (decoded, not verified)."""
    try:
        is_file = Path(argument).is_file()
    except (OSError, ValueError):  # a token is often longer than any file name may be
        is_file = False
    if is_file:
        return load_payload(argument).to_dict()
    result = decode(extract_token(argument), None)
    if not result.payload_is_object:
        problem = result.findings[0].message if result.findings else "not a token"
        raise CliError(
            f"{argument[:40]!r} is neither a payload file nor a token: {problem}", EXIT_INVALID
        )
    return result.payload


def cmd_diff(args: argparse.Namespace) -> int:
    from workbench.emulator.simulate import simulate_update

    old, new = payload_of(args.old), payload_of(args.new)
    fixture = load_fixture(args.fixture)
    changes = diff_claims(old, new)
    effect = simulate_update(old, new, fixture)
    if args.json:
        print(
            json.dumps(
                {"claims": [c.to_dict() for c in changes], "community": effect},
                indent=2,
                ensure_ascii=False,
            )
        )
        return EXIT_OK
    print("Claims (old → new):")
    for line in diff_lines(changes):
        print(f"  {line}")
    print(
        f"\nWhat {fixture.community_name} would do with the new one: {effect['outcome']}"
        + (f" ({effect['code']})" if effect["code"] else "")
    )
    for field, (before, after) in effect["changes"].items():
        print(f"  {field}: {short(before)} → {short(after)}")
    if effect["outcome"] == "updated" and not effect["changes"]:
        print("  nothing would change")
    for finding in effect["findings"]:
        print(f"  {finding['level']} {finding['code']}: {finding['message']}")
    return EXIT_OK


def cmd_attack(args: argparse.Namespace) -> int:
    from workbench.toolkit import attack

    payload = load_payload(args.payload)
    with community_under_test(args) as (url, key):
        other = attack.other_member_email(url, payload.get("sub"))
        return _attack_report(args, url, attack.battery(payload, key, other_email=other))


@contextmanager
def community_under_test(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """(URL, key) of `--target` with the community's key, else of a throwaway emulator on
    `--fixture` (or the sample) with a key of its own, stopped afterwards."""
    if args.target:
        yield args.target, require_key(args.community)
        return
    import secrets
    import tempfile

    from workbench.emulator.server import ServerThread

    fixture = load_fixture(args.fixture)
    key = "throwaway-emulator-key-" + secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as data:
        server = ServerThread.for_data_dir(Path(data), fixture, lambda: key, trace=False).start()
        try:
            server.wait_ready()
            yield server.url, key
        finally:
            server.stop()


def load_fixture(path: str | None) -> Any:
    """The fixture at `path`, or the sample community; a bad one is exit 2."""
    from workbench.emulator.fixture import FixtureError, load_fixture_file, sample_fixture

    try:
        return load_fixture_file(path) if path else sample_fixture()
    except FixtureError as exc:
        raise CliError(str(exc)) from None


def _attack_report(args: argparse.Namespace, target: str, cases: list[Any]) -> int:
    from workbench.toolkit import attack

    outcomes = attack.run(target, cases)
    width = max(len(o.case) for o in outcomes)
    for outcome in outcomes:
        mark = "pass" if outcome.passed else "FAIL"
        print(
            f"{mark}  {outcome.case.ljust(width)}  expected {outcome.expected:<32} "
            f"got {outcome.actual}"
        )
    failed = sum(not o.passed for o in outcomes)
    print(f"{len(outcomes) - failed} of {len(outcomes)} as expected against {target}")
    try:
        if args.json_out:
            Path(args.json_out).write_text(attack.to_json(outcomes, target), encoding="utf-8")
        if args.html_out:
            Path(args.html_out).write_text(attack.to_html(outcomes, target), encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write the report: {exc.strerror or exc}") from None
    return EXIT_OK if failed == 0 else EXIT_INVALID


def cmd_scenario(args: argparse.Namespace) -> int:
    from workbench.personas import PersonaStore
    from workbench.toolkit import scenario

    personas = PersonaStore(data_dir(args.data_dir)).all() if args.data_dir else {}
    try:
        plan = scenario.load(args.file, personas)
    except scenario.ScenarioError as exc:
        raise CliError(str(exc)) from None
    with community_under_test(args) as (url, key):
        return _scenario_report(plan, scenario.run(plan, url, key), url)


def _scenario_report(plan: Any, results: list[Any], target: str) -> int:
    print(f"{plan.name} against {target}")
    for result in results:
        print(f"  {'pass' if result.passed else 'FAIL'}  {result.step}")
        for problem in result.problems:
            print(f"        {problem}")
    failed = sum(not r.passed for r in results)
    print(f"{len(results) - failed} of {len(results)} steps as expected")
    return EXIT_OK if failed == 0 else EXIT_INVALID


def cmd_snippet(args: argparse.Namespace) -> int:
    payload = load_payload(args.payload)
    print(snippet(args.lang, payload, ttl=args.ttl, community=args.community), end="")
    return EXIT_OK


def cmd_decode(args: argparse.Namespace) -> int:
    if args.token == "-":  # noqa: S105 (stdin, not a password)
        if sys.stdin is None or sys.stdin.closed or sys.stdin.isatty():
            raise CliError("no token: pass it as an argument, or pipe it in with -")
        raw = sys.stdin.buffer.read(MAX_TOKEN_LENGTH * 2 + 1)
        text = raw.decode("utf-8", errors="replace")
    else:
        text = args.token
    key = None if args.no_verify else require_key(args.community)
    context = ValidationContext(now=time.time() + args.clock_offset)
    result = decode(extract_token(text), key, context)
    print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    return EXIT_OK if result.ok else EXIT_INVALID


def cmd_key(args: argparse.Namespace) -> int:
    community = args.community
    action = args.key_command
    try:
        if action == "set":
            if args.stdin:
                raw = sys.stdin.buffer.read(keys.MAX_KEY_LENGTH * 4 + 1) if sys.stdin else b""
                value = raw.decode("utf-8", errors="replace")
            else:
                if sys.stdin is None or not sys.stdin.isatty():
                    raise CliError("no terminal to type the key in; pipe it with --stdin")
                value = getpass.getpass(f"SSO private key for {community} (hidden): ")
            keys.set_key(value, community)
            stored = keys.stored_key(community) or ""
            print(
                f"stored the key for {community} in {keys.backend_status().name}: "
                f"{keys.mask(stored)}"
            )
            _warn_if_env_overrides()
        elif action == "generate":
            key = keys.generate_key(community)
            print(
                f"generated a new key for {community} in {keys.backend_status().name}: "
                f"{keys.mask(key)}"
            )
            print(
                "paste it into the emulator's community or your own with "
                "`workbench key show --reveal`",
                file=sys.stderr,
            )
            _warn_if_env_overrides()
        elif action == "show":
            found = keys.find_key(community)
            if found is None:
                raise keys.NoKeyError(
                    f"no SSO key for {community}: run `workbench key generate` or "
                    f"`workbench key set`, or set {keys.ENV_VAR}"
                )
            print(found.value if args.reveal else keys.mask(found.value))
            if found.origin == "environment":
                print(f"(from {keys.ENV_VAR}, which overrides the keyring)", file=sys.stderr)
        elif action == "delete":
            if keys.delete_key(community):
                print(f"deleted the key for {community}")
            else:
                print(f"no key was stored for {community}; nothing to delete", file=sys.stderr)
        else:
            raise CliError(
                "workbench key: say what to do: set, generate, show or delete; "
                "see `workbench key --help`"
            )
    except keys.KeyStoreError as exc:
        raise CliError(str(exc)) from None
    return EXIT_OK


def _warn_if_env_overrides() -> None:
    import os

    if os.environ.get(keys.ENV_VAR):
        print(
            f"note: {keys.ENV_VAR} is set and overrides the keyring in this shell", file=sys.stderr
        )


def cmd_serve(args: argparse.Namespace) -> int:
    from workbench.emulator.serve import run_serve

    return run_serve(args)


def cmd_gui(args: argparse.Namespace) -> int:
    try:
        from workbench.gui.main import run_gui
    except ImportError as exc:
        raise CliError(f"the desktop workbench cannot start: {exc}") from None
    return run_gui(args)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "token": cmd_token,
    "decode": cmd_decode,
    "key": cmd_key,
    "snippet": cmd_snippet,
    "diff": cmd_diff,
    "attack": cmd_attack,
    "scenario": cmd_scenario,
    "serve": cmd_serve,
    "gui": cmd_gui,
}


def install_desktop_entry() -> int:
    from workbench.desktop_entry import install

    try:
        written = install()
    except OSError as exc:
        raise CliError(f"cannot install the desktop entry: {exc.strerror or exc}") from None
    print(f"installed the SSO Workbench menu entry ({len(written)} files):")
    for path in written:
        print(f"  {path}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.install_desktop_entry:
            return install_desktop_entry()
        if args.command is None:
            args = parser.parse_args(["gui", *(argv or sys.argv[1:])])
        return COMMANDS[args.command](args)
    except CliError as exc:
        message = str(exc)
        if not message.startswith("workbench"):
            message = f"workbench {getattr(args, 'command', '') or ''}: {message}".replace(
                "  ", " "
            )
        print(message, file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
