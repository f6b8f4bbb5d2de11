// The agent as a child process, as systemd runs it, for the end-to-end tests: a folder per agent
// with its configuration, credentials, state folder, a boot id file (a "reboot" is a kill -9 and a
// new boot id), and stand-ins on PATH for the system tools the hooks call (rauc, swupdate,
// fw_setenv, systemctl): each records its name and arguments in calls.log and answers with what
// the test put in <name>.out and <name>.exit.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegisteredDevice } from './upgrade-flows.ts';

const root = join(import.meta.dirname, '..', '..');
const standInTools = ['rauc', 'swupdate', 'fw_setenv', 'systemctl'];

export interface AgentProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the first line matching `pattern` (printed before or after the call). */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGKILL, as a power cut: nothing is flushed or reported. */
  kill9(): Promise<void>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

export interface AgentFixture {
  dir: string;
  stateDir: string;
  configFile: string;
  /** Writes the configuration: `config` over the device's server, credentials and test paths. */
  configure(config: Record<string, unknown>): void;
  /** The stand-ins' calls so far, one per line: `rauc install /…`. */
  calls(): string[];
  /** What a stand-in answers next: its output and exit code. */
  standIn(tool: string, exit: number, output?: string): void;
  /** A new boot id: the machine "restarted". */
  reboot(): void;
  start(options?: { node?: string; command?: string[]; env?: Record<string, string> }): AgentProcess;
  /** Kills the agents it started that still run. */
  close(): Promise<void>;
}

export function startAgentProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
): AgentProcess {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { pattern: RegExp; resolve(line: string): void }[] = [];
  const onData = (data: Buffer) => {
    out += data.toString('utf8');
    for (const w of [...waiters]) {
      const found = out.split('\n').find((l) => w.pattern.test(l));
      if (found !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(found);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => out,
    line(pattern, timeoutMs = 20_000) {
      const found = out.split('\n').find((l) => pattern.test(l));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no line ${pattern} within ${timeoutMs} ms; the agent printed:\n${out}`));
        }, timeoutMs);
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        waiters.push(waiter);
        void exited.then((code) => {
          if (!waiters.includes(waiter)) return;
          waiters.splice(waiters.indexOf(waiter), 1);
          clearTimeout(timer);
          reject(new Error(`the agent exited (${code}) before printing ${pattern}:\n${out}`));
        });
      });
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** An agent folder for `device` of a server at `server` (and `mqttUrl`), under `dir`. */
export function agentFixture(
  dir: string,
  device: RegisteredDevice,
  server: string,
  mqttUrl: string,
): AgentFixture {
  const bin = join(dir, 'bin');
  const standIns = join(dir, 'stand-ins');
  const stateDir = join(dir, 'state');
  const configFile = join(dir, 'agent.json');
  const bootIdFile = join(dir, 'boot_id');
  mkdirSync(bin, { recursive: true });
  mkdirSync(standIns, { recursive: true });
  const tool = join(bin, '.stand-in');
  writeFileSync(
    tool,
    `#!/bin/sh
name=$(basename "$0")
echo "$name $*" >> "${standIns}/calls.log"
[ -f "${standIns}/$name.out" ] && cat "${standIns}/$name.out"
exit "$(cat "${standIns}/$name.exit" 2>/dev/null || echo 0)"
`,
  );
  chmodSync(tool, 0o755);
  for (const name of standInTools) symlinkSync(tool, join(bin, name));
  writeFileSync(bootIdFile, `${randomUUID()}\n`);
  const running: AgentProcess[] = [];
  return {
    dir,
    stateDir,
    configFile,
    configure(config) {
      writeFileSync(
        configFile,
        JSON.stringify({
          server,
          ...(mqttUrl && { mqttUrl }),
          credentials: { productKey: device.productKey, name: device.name, secret: device.secret },
          stateDir,
          pollSeconds: 1,
          bootIdFile,
          rebootCommand: `touch ${join(dir, 'reboot-asked')}`,
          ...config,
        }),
      );
    },
    calls: () =>
      existsSync(join(standIns, 'calls.log'))
        ? readFileSync(join(standIns, 'calls.log'), 'utf8').trim().split('\n')
        : [],
    standIn(name, exit, output) {
      writeFileSync(join(standIns, `${name}.exit`), String(exit));
      if (output !== undefined) writeFileSync(join(standIns, `${name}.out`), output);
    },
    reboot() {
      writeFileSync(bootIdFile, `${randomUUID()}\n`);
    },
    start({ node = process.execPath, command = [join(root, 'packages/agent/src/main.ts')], env = {} } = {}) {
      assert.ok(existsSync(configFile), 'configure() first');
      const agent = startAgentProcess(node, [...command, '--config', configFile], {
        PATH: `${bin}:${process.env['PATH'] ?? ''}`,
        ...env,
      });
      running.push(agent);
      return agent;
    },
    async close() {
      for (const agent of running) await agent.kill9();
    },
  };
}
