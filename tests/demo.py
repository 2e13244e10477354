"""Shows pam_resgrid at work against the bundled stand-in server: a
login that succeeds, a wrong password, and the server down before and
after a cached login.  Runs the built module through real libpam."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "integration"))

import harness  # noqa: E402

PASSWORD = "correct horse & battery"


def show(world, title, user, password):
    result = world.run(user, password)
    print(f"\n== {title}")
    for line in result.infos + result.errors:
        print(f"   says: {line}")
    for _, line in result.logs:
        print(f"   logs: {line}")
    names = {0: "PAM_SUCCESS", 7: "PAM_AUTH_ERR", 9: "PAM_AUTHINFO_UNAVAIL"}
    print(f"   PAM result: {names.get(result.code, result.code)}")


def main():
    reason = harness.missing_requirement()
    if reason is not None:
        sys.exit(f"demo: {reason}")
    world = harness.World()
    try:
        world.server.add_user("responder", PASSWORD)
        world.service(outage_memory="0")
        show(world, "responder signs in", "responder", PASSWORD)
        show(world, "responder mistypes", "responder", "wrong")
        world.server.set_mode("http503")
        show(world, "Resgrid is down: cached sign-in", "responder", PASSWORD)
        show(world, "Resgrid is down: unknown user", "medic", PASSWORD)
    finally:
        world.close()


if __name__ == "__main__":
    main()
