// The two patch profiles. `mcu` keeps the patcher within 16 KiB (computeWorkingMemory gives
// 12,016 bytes); `linux` spends a little more memory on wider contexts and larger I/O buffers.

import type { ProfileName } from './patch-header.ts';
import type { ModelParams } from './patch-model.ts';

export interface Profile {
  name: ProfileName;
  model: ModelParams;
  bufferLog2: number;
  /** Hash-chain candidates the matcher tries per position. */
  maxChain: number;
}

export const profiles: Record<ProfileName, Profile> = {
  // Shifts below 4 adapt faster: a firmware delta is short and its changes (relocated addresses,
  // new code) vary from region to region, so recent bytes predict better than long averages.
  mcu: {
    name: 'mcu',
    model: { literalContextBits: 3, diffContextBits: 2, literalShift: 4, diffShift: 3 },
    bufferLog2: 8,
    maxChain: 32,
  },
  linux: {
    name: 'linux',
    model: { literalContextBits: 8, diffContextBits: 5, literalShift: 3, diffShift: 3 },
    bufferLog2: 16,
    maxChain: 64,
  },
};

/** The working memory an mcu patch promises never to exceed. */
export const MCU_MEMORY_LIMIT = 16 * 1024;
