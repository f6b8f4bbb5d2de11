// A firmware upload's signature (docs/signing.md): the form's `manifest` and `signature` fields,
// checked against the uploaded files before the package is stored, and required where the
// product requires signed firmware.
import { UpdraftError } from '@updraft/core';
import type { FirmwareFile } from '../../../modules/firmware/firmware-store.ts';
import { checkPackageFields, type RawPackageFields } from '../../../modules/firmware/package-rules.ts';
import type { PackageSignature } from '../../../modules/signing/signing-store.ts';
import type { Services } from '../../../services.ts';

/** The form's parts that may come as files as well as fields: `manifest` and `signature`. */
export const isSignaturePart = (name: string) => name === 'manifest' || name === 'signature';

/** A manifest or signature sent as a file part, as text (at most 8 KiB; a manifest is ≤ 4 KiB). */
export async function textOfPart(name: string, file: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of file) {
    size += chunk.length;
    if (size > 8192) throw new UpdraftError('VALIDATION_FAILED', `${name} is too long`, { field: name });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The package's own fields of the form (without the signature's). */
export function packageFieldsOf(fields: Record<string, string>): RawPackageFields {
  const { manifest: _m, signature: _s, securityVersion: _v, ...rest } = fields;
  return rest;
}

/** The `securityVersion` field: 0 to 4294967295, or undefined. */
function securityVersionOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^[0-9]{1,10}$/.test(text) || value > 0xffff_ffff) {
    throw new UpdraftError('VALIDATION_FAILED', 'securityVersion is an integer from 0 to 4294967295', {
      field: 'securityVersion',
    });
  }
  return value;
}

/**
 * The upload's signature: the offline one, checked; the server's, for an unsigned upload to a
 * product that registered the server's key; or undefined for an unsigned upload the product allows.
 */
export async function uploadSignature(
  { signing, serverSigner }: Pick<Services, 'signing' | 'serverSigner'>,
  productId: number,
  fields: Record<string, string>,
  files: readonly FirmwareFile[],
): Promise<PackageSignature | undefined> {
  const { manifest, signature } = fields;
  if ((manifest === undefined) !== (signature === undefined)) {
    throw new UpdraftError('VALIDATION_FAILED', 'give manifest and signature together', {
      field: manifest === undefined ? 'manifest' : 'signature',
    });
  }
  const securityVersion = securityVersionOf(fields['securityVersion']);
  if (manifest === undefined || signature === undefined) {
    const pkg = checkPackageFields(packageFieldsOf(fields));
    const signed = await serverSigner.signUpload({ productId, ...pkg, files }, securityVersion);
    if (signed) return signed;
    if (securityVersion !== undefined) {
      throw new UpdraftError(
        'VALIDATION_FAILED',
        `securityVersion is for uploads the server signs, and it does not sign this one for product ${productId}`,
        { field: 'securityVersion' },
      );
    }
    if (await signing.requiresSignature(productId)) {
      throw new UpdraftError(
        'SIGNATURE_REQUIRED',
        `product ${productId} requires signed firmware: send manifest and signature`,
        {
          field: 'signature',
        },
      );
    }
    return undefined;
  }
  if (securityVersion !== undefined) {
    throw new UpdraftError(
      'VALIDATION_FAILED',
      'securityVersion comes from the manifest of a signed upload',
      {
        field: 'securityVersion',
      },
    );
  }
  const pkg = checkPackageFields(packageFieldsOf(fields));
  // A manifest holds no CR (docs/signing.md): CRLF line ends are the form's doing (browsers and
  // FormData send text fields so), read as the LF the signer wrote.
  return signing.verify({ productId, ...pkg, files }, manifest.replace(/\r\n/g, '\n'), signature.trim());
}

/** Stores a new package's signature; a package that cannot keep its signature is not kept. */
export async function storeUploadSignature(
  services: Pick<Services, 'signing' | 'firmware'>,
  packageId: number,
  signed: PackageSignature,
): Promise<void> {
  try {
    await services.signing.store(packageId, signed);
  } catch (error) {
    await services.firmware.deletePackage(packageId).catch(() => {});
    throw error;
  }
}
