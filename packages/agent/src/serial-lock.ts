// One thing at a time: hooks of the device and of its sub-devices never run together, and a
// reboot waits for the hook that runs (and keeps the lock, so that none starts after it).

export function createSerialLock() {
  let tail: Promise<void> = Promise.resolve();
  let release: (() => void) | undefined;

  async function acquire(): Promise<void> {
    const previous = tail;
    let done!: () => void;
    tail = new Promise<void>((resolve) => {
      done = resolve;
    });
    await previous;
    release = done;
  }

  return {
    acquire,
    release(): void {
      const r = release;
      release = undefined;
      r?.();
    },
    async run<T>(fn: () => Promise<T>): Promise<T> {
      await acquire();
      const mine = release!;
      release = undefined;
      try {
        return await fn();
      } finally {
        mine();
      }
    },
  };
}
