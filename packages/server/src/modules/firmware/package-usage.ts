// Whether something still needs a firmware package. Upgrade plans arrive in a later issue and
// will answer through this port; until then nothing uses a package, so deletion is never refused.
export interface PackageUsage {
  isPackageInUse(packageId: number): Promise<boolean>;
}

export const noPackageUsage: PackageUsage = { isPackageInUse: async () => false };
