// The blob store a configuration names: the firmware folder, or the S3 bucket (checked before
// anything relies on it). The server and `updraft blobs migrate` open stores through this.
import { type Config, ConfigError } from '../../config/config.ts';
import type { BlobStore } from '../../modules/firmware/blob-store.ts';
import { createFsBlobStore } from './fs-blob-store.ts';
import { openS3BlobStore } from './s3-blob-store.ts';

export async function openBlobStore(
  config: Config,
  kind: Config['firmwareStore'] = config.firmwareStore,
): Promise<BlobStore> {
  if (kind === 'fs') return createFsBlobStore(config.firmwareDir);
  if (!config.s3Bucket)
    throw new ConfigError('UPDRAFT_S3_BUCKET', 'names the bucket of the S3 store; it is not set');
  return openS3BlobStore({
    bucket: config.s3Bucket,
    prefix: config.s3Prefix,
    endpoint: config.s3Endpoint,
    region: config.s3Region,
    forcePathStyle: config.s3PathStyle,
  });
}
