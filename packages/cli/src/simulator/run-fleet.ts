// Runs every session of a fleet until each device has an outcome, the timeout passes or the
// operator interrupts (SIGINT, SIGTERM). A run that is cut short stops its devices at once and
// waits a few seconds at most for them: whatever happens to the server, the caller gets to
// print its summary (issue 14).
import { join } from 'node:path';
import type { Fleet } from './fleet.ts';
import type { LinkCounters } from './link-faults.ts';
import { progressLine } from './progress-display.ts';
import { runSimulatedDevice, type SimulatedDeviceOptions, settledStates } from './simulated-device.ts';

/** How a run ended: every device settled, the timeout, or the operator. */
export type Ending = 'settled' | 'timeout' | 'interrupted';

type SessionFields = 'productKey' | 'name' | 'secret' | 'self' | 'subDevices' | 'stateDir';
type RunFields = 'counters' | 'onChange' | 'signal' | 'halt';

export interface RunFleetOptions {
  fleet: Fleet;
  /** What every session shares. */
  device: Omit<SimulatedDeviceOptions, SessionFields | RunFields>;
  /** Each session keeps its SDK state in <stateRoot>/<device name>. */
  stateRoot: string;
  timeoutMs: number;
  counters: LinkCounters;
  /** Redraw a progress line (a terminal). */
  progress: boolean;
  /** A session that broke for good (refused sign-in, a bug). */
  onSessionError(name: string, error: unknown): void;
}

export interface FleetRun {
  ending: Ending;
  /** Sessions still winding down when the run gave up waiting (their sockets keep the process up). */
  lingering: number;
  ms: number;
}

/** How long a cut-short run waits for its sessions to stop. */
const stopGraceMs = 5000;

export async function runFleet(options: RunFleetOptions): Promise<FleetRun> {
  const { fleet, counters } = options;
  const began = Date.now();
  const done = new AbortController();
  const halt = new AbortController();
  let ending: Ending = 'settled';
  const cut = (why: Ending) => {
    if (done.signal.aborted || halt.signal.aborted) return;
    ending = why;
    halt.abort();
  };
  const timer = setTimeout(() => cut('timeout'), options.timeoutMs);
  const onSignal = () => cut('interrupted');
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const draw = () =>
    process.stdout.write(`\r\x1b[2K${progressLine(fleet.subjects, counters, Date.now() - began)}`);
  const redraw = options.progress ? setInterval(draw, 250) : undefined;
  const onChange = () => {
    if (fleet.subjects.every((s) => settledStates.includes(s.state))) done.abort();
  };
  const signal = AbortSignal.any([done.signal, halt.signal]);
  let running = fleet.sessions.length;
  const runs = fleet.sessions.map((session) =>
    runSimulatedDevice({
      ...options.device,
      productKey: session.productKey,
      name: session.device.name,
      secret: session.device.secret,
      ...(session.self && { self: session.self }),
      subDevices: session.subDevices,
      stateDir: join(options.stateRoot, session.device.name),
      counters,
      onChange,
      signal,
      halt: halt.signal,
    })
      .catch((error: unknown) => {
        // The session broke for good: its devices end as failed.
        for (const s of [...(session.self ? [session.self] : []), ...session.subDevices]) {
          if (!settledStates.includes(s.state)) Object.assign(s, { state: 'failed', failure: 'other' });
        }
        if (!halt.signal.aborted) options.onSessionError(session.device.name, error);
        onChange();
      })
      .finally(() => {
        running--;
      }),
  );
  try {
    await new Promise<void>((resolve) => {
      let grace: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(grace);
        resolve();
      };
      void Promise.all(runs).then(finish);
      halt.signal.addEventListener('abort', () => (grace = setTimeout(finish, stopGraceMs)), { once: true });
    });
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (redraw) {
      clearInterval(redraw);
      draw();
      process.stdout.write('\n\n');
    }
  }
  return { ending, lingering: running, ms: Date.now() - began };
}
