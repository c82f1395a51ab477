#!/usr/bin/env python3
"""Runs the steps of a GitHub Actions job the way the runner does, on this
machine: for the test of action.yml (tests/suites/ci.bash).

  actions-runner.py --workspace DIR --temp DIR STEP...
  STEP: --run SCRIPT                       a workflow step (shell: bash)
        --uses DIR [--id ID] [--with NAME=VALUE]...
                                           a composite action's steps

What it follows of the runner (docs.github.com, "Workflow commands for
GitHub Actions" and "Metadata syntax for GitHub Actions"):
- every `run:` step is a script file run with `bash --noprofile --norc -eo
  pipefail FILE` in the workspace, with the job's environment, the step's
  `env:`, GITHUB_ENV, GITHUB_PATH and GITHUB_OUTPUT naming files new for
  each step, and, in a composite action, GITHUB_ACTION_PATH;
- after each step, GITHUB_ENV's `NAME=VALUE` and `NAME<<DELIMITER` lines set
  variables for the later steps, GITHUB_PATH's lines go first on their PATH
  (the last added first), GITHUB_OUTPUT's lines become the step's outputs;
- `${{ … }}` in `run:`, `env:` and output values is replaced before the step
  runs: inputs.NAME (the `with:` value, else the default), github.action_path,
  runner.temp, env.NAME, steps.ID.outputs.NAME; anything else is an error,
  as are unknown inputs, `uses:` and `if:` inside the action;
- `::add-mask::VALUE` lines are not shown and VALUE is shown as *** from then
  on; the log is this program's stdout.
The job stops at the first failing step, with its exit status.
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml


class Job:
    def __init__(self, workspace, temp):
        self.workspace = workspace
        self.temp = temp
        self.env = dict(os.environ)
        self.env.update(CI="true", GITHUB_ACTIONS="true", RUNNER_OS="Linux",
                        GITHUB_WORKSPACE=workspace, RUNNER_TEMP=temp)
        self.paths = []       # from GITHUB_PATH, in the order added
        self.masks = []
        self.steps = {}       # the job's steps: id -> {output name: value}
        self.count = 0

    def show(self, text):
        for line in text.splitlines(keepends=True):
            m = re.match(r"::add-mask::(.*?)\r?$", line)
            if m:
                if m.group(1):
                    self.masks.append(m.group(1))
                continue
            for secret in self.masks:
                line = line.replace(secret, "***")
            sys.stdout.write(line)
        sys.stdout.flush()

    def expand(self, text, steps, inputs=None, action_path=None):
        """TEXT with its expressions replaced; STEPS: the outputs of the
        steps in scope (the job's, or the action's own)."""
        def one(m):
            expr = m.group(1).strip()
            parts = expr.split(".")
            if parts[0] == "inputs" and inputs is not None and len(parts) == 2:
                return inputs[parts[1]]
            if expr == "github.action_path" and action_path:
                return action_path
            if expr == "runner.temp":
                return self.temp
            if parts[0] == "env" and len(parts) == 2:
                return self.env.get(parts[1], "")
            if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
                return steps.get(parts[1], {}).get(parts[3], "")
            raise SystemExit("actions-runner: unsupported expression: ${{ %s }}" % expr)
        return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))

    def run(self, script, step_env, steps, step_id=None, action_path=None):
        """One `run:` step, its outputs into STEPS[STEP_ID]; the job ends
        when it fails."""
        self.count += 1
        files = {}
        for name in ("GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT"):
            files[name] = os.path.join(self.temp, "_runner_%s_%d" % (name.lower(), self.count))
            open(files[name], "w").close()
        env = dict(self.env)
        env["PATH"] = ":".join(self.paths[::-1] + [self.env["PATH"]])
        env.update(step_env)
        env.update(files)
        if action_path:
            env["GITHUB_ACTION_PATH"] = action_path
        with tempfile.NamedTemporaryFile("w", dir=self.temp, suffix=".sh", delete=False) as f:
            f.write(script)
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", f.name],
                              cwd=self.workspace, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        os.unlink(f.name)
        self.show(proc.stdout.decode("utf-8", "replace"))
        if proc.returncode != 0:
            self.show("##[error]Process completed with exit code %d.\n" % proc.returncode)
            sys.exit(proc.returncode)
        self.env.update(read_pairs(files["GITHUB_ENV"]))
        with open(files["GITHUB_PATH"]) as f:
            self.paths += [line.rstrip("\r\n") for line in f if line.strip()]
        if step_id:
            steps[step_id] = read_pairs(files["GITHUB_OUTPUT"])

    def uses(self, action_path, step_id, given):
        with open(os.path.join(action_path, "action.yml")) as f:
            action = yaml.safe_load(f)
        if action["runs"]["using"] != "composite":
            raise SystemExit("actions-runner: only composite actions")
        declared = action.get("inputs") or {}
        unknown = set(given) - set(declared)
        if unknown:
            raise SystemExit("actions-runner: unexpected inputs: %s" % ", ".join(sorted(unknown)))
        inputs = {name: str(given.get(name, spec.get("default", "")))
                  for name, spec in declared.items()}
        own = {}  # the action's steps, which its expressions see
        for i, step in enumerate(action["runs"]["steps"]):
            extra = set(step) - {"name", "id", "shell", "run", "env"}
            if extra or step.get("shell") != "bash":
                raise SystemExit("actions-runner: unsupported in step %d: %s" %
                                 (i + 1, ", ".join(sorted(extra)) or "shell: " + str(step.get("shell"))))
            self.show("##[group]Run %s\n" % step.get("name", ""))
            step_env = {k: self.expand(v, own, inputs, action_path)
                        for k, v in (step.get("env") or {}).items()}
            self.run(self.expand(step["run"], own, inputs, action_path), step_env, own,
                     step.get("id"), action_path)
        if step_id:
            self.steps[step_id] = {name: self.expand(spec["value"], own, inputs, action_path)
                                   for name, spec in (action.get("outputs") or {}).items()}


def read_pairs(path):
    """NAME=VALUE and NAME<<DELIMITER … DELIMITER lines of a file command."""
    pairs = {}
    with open(path) as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            continue
        m = re.match(r"^([^=<]+)<<(.+)$", line)
        if m:
            end = lines.index(m.group(2), i)
            pairs[m.group(1)] = "\n".join(lines[i:end])
            i = end + 1
        elif "=" in line:
            name, value = line.split("=", 1)
            pairs[name] = value
        else:
            raise SystemExit("actions-runner: bad file command line: %r" % line)
    return pairs


def main(argv):
    args = list(argv)
    workspace = temp = None
    steps = []
    while args:
        a = args.pop(0)
        if a == "--workspace":
            workspace = args.pop(0)
        elif a == "--temp":
            temp = args.pop(0)
        elif a == "--run":
            steps.append(("run", args.pop(0), None, {}))
        elif a == "--uses":
            steps.append(("uses", args.pop(0), None, {}))
        elif a == "--id" and steps:
            steps[-1] = steps[-1][:2] + (args.pop(0), steps[-1][3])
        elif a == "--with" and steps and steps[-1][0] == "uses":
            name, value = args.pop(0).split("=", 1)
            steps[-1][3][name] = value
        else:
            raise SystemExit(__doc__)
    if not workspace or not temp or not steps:
        raise SystemExit(__doc__)
    job = Job(os.path.abspath(workspace), os.path.abspath(temp))
    for kind, what, step_id, given in steps:
        if kind == "run":
            job.show("##[group]Run %s\n" % what.splitlines()[0])
            job.run(job.expand(what, job.steps), {}, job.steps, step_id)
        else:
            job.uses(os.path.abspath(what), step_id, given)


if __name__ == "__main__":
    main(sys.argv[1:])
