"""Start a program the way Jupyter starts a kernel, for the Cordon lab.

Usage: kernel_launch.py KERNEL_JSON PROGRAM [ARG...]

Jupyter's kernel manager builds a kernel's environment from its own (the server's) environment
updated with the kernelspec's "env", and runs the kernelspec's argv. No login shell is involved,
so /etc/profile.d is never read. Here the server's environment is what the caller passed (the lab
gives only PATH, HOME and LANG), and the program replaces "-m ipykernel_launcher -f {connection_file}"
after the kernelspec's interpreter, argv[0].
"""
import json
import os
import sys


def main() -> None:
    spec_path, program, *args = sys.argv[1:]
    with open(spec_path) as f:
        spec = json.load(f)
    env = dict(os.environ)
    env.update(spec.get("env") or {})
    argv = [spec["argv"][0], program, *args]
    os.execve(argv[0], argv, env)


if __name__ == "__main__":
    main()
