// Where Updraft writes, and whether it can (issue 14): the folder of the SQLite database and the
// firmware folder, each made if missing, written to and measured. `serve` refuses to start on
// the first fault with one line (no "Updraft is running" and then 500 on sign-in); the same
// measure, without writing, is the storage state a readiness check or `updraft storage` shows.
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  openSync,
  rmSync,
  statfsSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { ErrorCode, UpdraftError } from '@updraft/core';
import type { Config } from '../../config/config.ts';
import {
  type FaultFacts,
  type StorageFault,
  type StoragePlace,
  storageError,
  storageFaultOf,
} from './storage-faults.ts';

export interface StorageState extends StoragePlace {
  state: 'ok' | StorageFault;
  /** Bytes free to this user on the folder's file system (null when it cannot be measured). */
  freeBytes: number | null;
  /** The fault's coded error, as `serve` would print it; null when ok. */
  code: ErrorCode | null;
  message: string | null;
}

/** The folders this configuration writes to: none for PostgreSQL and S3, nor an in-memory database. */
export function storagePlaces(config: Config): StoragePlace[] {
  const places: StoragePlace[] = [];
  const { database } = config;
  if (database.kind === 'sqlite' && database.path !== ':memory:') {
    const own = dirname(database.path) === config.dataDir;
    places.push({
      store: 'database',
      what: own ? 'the data folder' : 'the database folder',
      path: dirname(database.path),
      setting: own ? 'UPDRAFT_DATA_DIR' : 'UPDRAFT_DATABASE_URL',
    });
  }
  if (config.firmwareStore === 'fs') {
    places.push({
      store: 'firmware',
      what: 'the firmware folder',
      path: config.firmwareDir,
      setting: 'UPDRAFT_FIRMWARE_DIR',
    });
  }
  return places;
}

/** The nearest folder above `path` that exists. */
function nearestFolder(path: string): string {
  let parent = dirname(path);
  while (parent !== dirname(parent)) {
    try {
      statSync(parent);
      break;
    } catch {
      parent = dirname(parent);
    }
  }
  return parent;
}

/** Why nothing can be made in a folder, or undefined when something can. */
function whyNotWritable(folder: string): string | undefined {
  try {
    accessSync(folder, constants.W_OK);
    return undefined;
  } catch (error) {
    const fault = storageFaultOf(error);
    if (fault === 'read-only') return `${folder} is on a read-only file system`;
    if (fault === 'no-access') return `${folder} is not writable by this user`;
    return `${folder}: ${(error as NodeJS.ErrnoException).code}`;
  }
}

/** A small file written, synced and removed: what a read-only mount or a full disk refuses. */
function probeWrite(folder: string): void {
  const probe = join(folder, `.updraft-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(probe, 'wx', 0o600);
  try {
    writeSync(fd, Buffer.alloc(4096));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
    rmSync(probe, { force: true });
  }
}

function freeBytesOf(folder: string): number | null {
  try {
    const fs = statfsSync(folder);
    return fs.bavail * fs.bsize;
  } catch {
    return null;
  }
}

export interface InspectOptions {
  /** Free space below which a folder counts as full (UPDRAFT_STORAGE_MIN_FREE_MB). */
  minFreeBytes: number;
  /**
   * 'start': make a missing folder and write a probe file (a full disk refuses the bytes);
   * 'state': only ask (access and statfs), cheap enough for a readiness check; a missing
   * folder that `serve` could make is measured at the folder above it.
   */
  mode: 'start' | 'state';
}

interface Examined {
  state: StorageState;
  error: UpdraftError | null;
}

function examine(place: StoragePlace, options: InspectOptions): Examined {
  const faulty = (fault: StorageFault, facts: FaultFacts, freeBytes: number | null): Examined => {
    const error = storageError(fault, place, facts);
    return { state: { ...place, state: fault, freeBytes, code: error.code, message: error.message }, error };
  };
  let isFolder: boolean;
  let measured = place.path;
  try {
    isFolder = statSync(place.path).isDirectory();
  } catch (error) {
    if (storageFaultOf(error) !== 'missing') return faulty(storageFaultOf(error) ?? 'io', {}, null);
    const parent = nearestFolder(place.path);
    const because = whyNotWritable(parent);
    if (because) return faulty('missing', { because }, null);
    isFolder = true;
    if (options.mode === 'state') measured = parent;
    else {
      try {
        mkdirSync(place.path, { recursive: true, mode: 0o700 });
      } catch (made) {
        return faulty('missing', { cause: (made as NodeJS.ErrnoException).code ?? '' }, null);
      }
    }
  }
  if (!isFolder) return faulty('not-a-folder', {}, null);
  if (measured === place.path) {
    try {
      if (options.mode === 'start') probeWrite(place.path);
      else accessSync(place.path, constants.W_OK);
    } catch (error) {
      const fault = storageFaultOf(error) ?? 'io';
      const freeBytes = freeBytesOf(place.path);
      const facts =
        fault === 'full' && freeBytes !== null ? { freeBytes, minFreeBytes: options.minFreeBytes } : {};
      return faulty(fault, { ...facts, cause: (error as NodeJS.ErrnoException).code ?? '' }, freeBytes);
    }
  }
  const freeBytes = freeBytesOf(measured);
  // Nothing free is full whatever the minimum (a read-only probe cannot tell).
  if (freeBytes !== null && (freeBytes < options.minFreeBytes || freeBytes === 0)) {
    return faulty('full', { freeBytes, minFreeBytes: options.minFreeBytes }, freeBytes);
  }
  return { state: { ...place, state: 'ok', freeBytes, code: null, message: null }, error: null };
}

export function inspectPlace(place: StoragePlace, options: InspectOptions): StorageState {
  return examine(place, options).state;
}

/** The storage state of every folder the configuration writes to. */
export function inspectStorage(config: Config, mode: InspectOptions['mode'] = 'state'): StorageState[] {
  const minFreeBytes = config.storageMinFreeMb * 1048576;
  return storagePlaces(config).map((place) => inspectPlace(place, { minFreeBytes, mode }));
}

/** Throws the first fault's coded error (STORAGE_FULL, STORAGE_READ_ONLY, STORAGE_UNAVAILABLE). */
export function assertStorageUsable(config: Config): void {
  const minFreeBytes = config.storageMinFreeMb * 1048576;
  for (const place of storagePlaces(config)) {
    const { error } = examine(place, { minFreeBytes, mode: 'start' });
    if (error) throw error;
  }
}
