// Whether something still needs a firmware package. The plan store answers (a plan names its
// package, and the database refuses to delete a package a plan references), so that deleting a
// package a plan uses is refused with FIRMWARE_IN_USE rather than a foreign-key failure.
export interface PackageUsage {
  isPackageInUse(packageId: number): Promise<boolean>;
}
