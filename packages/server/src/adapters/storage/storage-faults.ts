// Storage faults in the catalogue (issue 14): a full disk, a read-only mount, a folder that is
// missing or not ours. The file system's errno and SQLite's result codes become one of three
// coded errors naming the folder, the cause and the setting that moves it, at start (one line,
// no stack) and at run time (507 or 503 through the HTTP status table, the log naming the path).
import { UpdraftError } from '@updraft/core';

export const storageFaults = ['full', 'read-only', 'missing', 'no-access', 'not-a-folder', 'io'] as const;
export type StorageFault = (typeof storageFaults)[number];

/** A folder Updraft writes to. */
export interface StoragePlace {
  /** Which store it holds. */
  store: 'database' | 'firmware';
  /** For people: "the data folder", "the firmware folder". */
  what: string;
  path: string;
  /** The setting that moves it, named in the fix. */
  setting: string;
}

const errnoFaults: Readonly<Record<string, StorageFault>> = {
  ENOSPC: 'full',
  EDQUOT: 'full',
  EFBIG: 'full',
  EROFS: 'read-only',
  EACCES: 'no-access',
  EPERM: 'no-access',
  ENOENT: 'missing',
  ENOTDIR: 'not-a-folder',
  EIO: 'io',
};

// SQLite's primary result codes (the low byte of the extended code; sqlite.org/rescode.html).
const sqliteFaults: Readonly<Record<number, StorageFault>> = {
  3: 'no-access', // SQLITE_PERM
  8: 'read-only', // SQLITE_READONLY
  10: 'io', // SQLITE_IOERR
  13: 'full', // SQLITE_FULL
  14: 'io', // SQLITE_CANTOPEN
};

/** The storage fault an error stands for (errno, or a node:sqlite error), if it is one. */
export function storageFaultOf(error: unknown): StorageFault | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  if (code === 'ERR_SQLITE_ERROR' && typeof errcode === 'number') return sqliteFaults[errcode & 0xff];
  return typeof code === 'string' ? errnoFaults[code] : undefined;
}

const sizeOf = (bytes: number) =>
  bytes < 1048576 ? `${Math.floor(bytes / 1024)} KiB` : `${Math.floor(bytes / 1048576)} MiB`;

/** What a fault means, without the path (the HTTP answer's message). */
export function describeFault(fault: StorageFault): string {
  switch (fault) {
    case 'full':
      return 'is full';
    case 'read-only':
      return 'is on a read-only file system';
    case 'missing':
      return 'does not exist and cannot be created';
    case 'no-access':
      return 'is not writable by the user Updraft runs as';
    case 'not-a-folder':
      return 'is not a folder';
    case 'io':
      return 'cannot be read or written (I/O error)';
  }
}

function fixOf(fault: StorageFault, place: StoragePlace): string {
  const move = `set ${place.setting} to`;
  switch (fault) {
    case 'full':
      return `free space on its disk, or ${move} a folder on a larger one`;
    case 'read-only':
      return `mount it read-write, or ${move} a writable folder`;
    case 'missing':
      return `create it, or ${move} a writable folder`;
    case 'no-access':
      return `give it to that user, or ${move} a folder it owns`;
    case 'not-a-folder':
      return `${move} a folder`;
    case 'io':
      return 'check the disk and the system log';
  }
}

const codeOf = (fault: StorageFault) =>
  fault === 'full' ? 'STORAGE_FULL' : fault === 'read-only' ? 'STORAGE_READ_ONLY' : 'STORAGE_UNAVAILABLE';

export interface FaultFacts {
  /** Bytes free where the fault is "full" by the start's measure. */
  freeBytes?: number;
  minFreeBytes?: number;
  /** Why a missing folder cannot be created, e.g. "/mnt is on a read-only file system". */
  because?: string;
  /** The errno or SQLite code seen. */
  cause?: string;
}

/** The coded error for a fault at a place: one line with the path, the cause and the fix. */
export function storageError(fault: StorageFault, place: StoragePlace, facts: FaultFacts = {}): UpdraftError {
  const { freeBytes, minFreeBytes } = facts;
  const measure =
    freeBytes === undefined
      ? ''
      : minFreeBytes !== undefined && freeBytes < minFreeBytes
        ? ` (${sizeOf(freeBytes)} free, Updraft needs ${sizeOf(minFreeBytes)}: UPDRAFT_STORAGE_MIN_FREE_MB)`
        : ` (${sizeOf(freeBytes)} free, a write was refused)`;
  const because = facts.because ? ` (${facts.because})` : '';
  return new UpdraftError(
    codeOf(fault),
    `${place.what} ${place.path} ${describeFault(fault)}${measure}${because}: ${fixOf(fault, place)}`,
    {
      store: place.store,
      fault,
      problem: describeFault(fault),
      path: place.path,
      setting: place.setting,
      ...(facts.freeBytes !== undefined && { freeBytes: facts.freeBytes }),
      ...(facts.cause && { cause: facts.cause }),
    },
  );
}

/** Rethrows a storage fault as its coded error; anything else passes through unchanged. */
export function explainStorageError(error: unknown, place: StoragePlace): unknown {
  const fault = storageFaultOf(error);
  if (!fault) return error;
  const { code, errstr } = error as { code?: string; errstr?: string };
  return storageError(fault, place, { cause: code === 'ERR_SQLITE_ERROR' ? errstr : code });
}
