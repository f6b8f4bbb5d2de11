// A device's versions in OneNET's words (protocols.md §2.4 (0)/(7), Studio's §2.10 alike):
// `f_version` for the FOTA module (`?module=`, else `default`), `s_version` for `sota`. A version
// is what packages accept, 1 to 50 of `[A-Za-z0-9._-]`, else errno 27.
import { isVersionName } from '@updraft/core';
import type { AccessDevice, DeviceAccess } from '../../modules/device-access/device-access.ts';
import { badParams, type Errno, problemErrno, succ } from './errno.ts';

/** Records the versions a report's body states; the errno to answer. */
export async function recordVersions(
  access: Pick<DeviceAccess, 'recordVersion'>,
  device: AccessDevice,
  body: unknown,
  module: string,
): Promise<Errno> {
  if (typeof (body ?? {}) !== 'object') return badParams('body');
  const fields = (body ?? {}) as Record<string, unknown>;
  const reports: [string, unknown][] = [
    [module, fields['f_version']],
    ['sota', fields['s_version']],
  ];
  for (const [name, value] of reports) {
    if (value === undefined) continue;
    if (!isVersionName(value)) return { errno: 27, error: 'bad version format' };
    const problem = await access.recordVersion(device, name, value);
    // s_version only counts for products with a `sota` module.
    if (problem && name !== 'sota') return problemErrno(problem, 'version', 'd2');
  }
  return succ;
}

/** The versions last reported, as OneNET answers them (nothing for a device that never reported). */
export async function reportedVersions(
  access: Pick<DeviceAccess, 'versionOf'>,
  device: AccessDevice,
  module: string,
): Promise<{ f_version?: string; s_version?: string }> {
  const [f, s] = await Promise.all([access.versionOf(device, module), access.versionOf(device, 'sota')]);
  return { ...(f !== undefined && { f_version: f }), ...(s !== undefined && { s_version: s }) };
}
