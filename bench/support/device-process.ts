// A bench's devices in a process of their own and its plan run, as the campaign bench does them
// (bench/lwm2m.ts runs both its phases with these): the process (a script of bench/support
// forked with its arguments) says `ready` once its devices are up, answers `stats` and `close`;
// the plan runs from the operator's start until the scheduler completes it, with the server's
// CPU seconds over that time.
import { type ChildProcess, fork } from 'node:child_process';
import type { App } from '../../packages/server/src/app.ts';

export interface DeviceProcess<Ready, Stats> {
  /** Rejects when the device process exits. */
  exited: Promise<never>;
  ready: Promise<Ready>;
  stats(): Promise<Stats>;
  /** Stops the devices; resolves with the process's peak RSS in MB. */
  close(): Promise<number>;
}

export function startDeviceProcess<Ready, Stats>(
  script: string,
  args: string[],
): DeviceProcess<Ready, Stats> {
  const child: ChildProcess = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const replies = new Map<string, (message: Record<string, unknown>) => void>();
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`device process exited with ${code}`))),
  );
  exited.catch(() => {});
  child.on('message', (message: Record<string, unknown>) => replies.get(String(message['type']))?.(message));
  const reply = (type: string) =>
    Promise.race([new Promise<Record<string, unknown>>((resolve) => replies.set(type, resolve)), exited]);
  return {
    exited,
    ready: reply('ready') as Promise<Ready>,
    async stats() {
      const answer = reply('stats');
      child.send({ type: 'stats' });
      return (await answer) as Stats;
    },
    async close() {
      const answer = reply('closed');
      child.send({ type: 'close' });
      const { rssMb } = (await answer) as { rssMb: number };
      child.kill();
      return rssMb;
    },
  };
}

/**
 * Starts the plan and waits until the scheduler completes it (at most `limitMs`), showing the
 * counts on a terminal. Resolves with the wall time and this process's CPU time, in seconds.
 */
export async function runPlan(
  app: App,
  planId: number,
  exited: Promise<never>,
  limitMs = 600_000,
): Promise<{ wall: number; cpu: number }> {
  const plans = app.services.plans;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await plans.runAction(planId, 'start', 'bench');
  let last = '';
  for (;;) {
    const current = await plans.getPlan(planId);
    if (current.status === 'completed') break;
    const counts = (await plans.report(planId, 3_600_000)).counts;
    const line = `  ${((performance.now() - started) / 1000).toFixed(0)} s: ${Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`;
    if (line !== last && process.stdout.isTTY) process.stdout.write(`\r${line}   `);
    last = line;
    if (performance.now() - started > limitMs) throw new Error(`the plan did not complete: ${line}`);
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 250)), exited]);
  }
  const wall = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (process.stdout.isTTY) process.stdout.write('\n');
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}
