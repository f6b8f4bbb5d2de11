// `updraft sign`: signed firmware offline (docs/signing.md). `sign keygen KEY.pem` makes an Ed25519
// key pair (the private key 0600, the public key printed for the product's signing keys);
// `sign KEY.pem --product P --version V FILE…` writes FILE1.manifest and FILE1.manifest.sig for
// an upload's `manifest` and `signature` fields. The private key never leaves this machine.
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { keyIdOf, ManifestError, privateKeyOf, rawPublicKey, signManifest } from '@updraft/protocol';

const usage = `usage: updraft sign keygen KEY.pem
       updraft sign KEY.pem --product KEY --version V [options] FILE...
  --module M             the product module (default default)
  --type full|delta      default full
  --source-version V     a delta: the version it applies to
  --source-sha256 HEX    a delta: sha256 of the image it applies to
  --target-sha256 HEX    a delta: sha256 of the image it restores (full: the first file's)
  --security-version N   anti-downgrade counter (default 0)
  --allow-downgrade      devices may install it over a higher security version
  -o, --out PATH         the manifest's path (default FILE1.manifest; the signature PATH.sig)
`;

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function keygen(path: string): Promise<number> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  await writeFile(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  process.stdout.write(
    `private key  ${path} (keep it offline; it is never uploaded)\n` +
      `public key   ${rawPublicKey(publicKey)}\n` +
      `key id       ${keyIdOf(publicKey)}\n` +
      'register it: POST /api/v1/products/{id}/signing-keys {"name": "…", "publicKey": "<public key>"}\n',
  );
  return 0;
}

const parse = (argv: string[]) =>
  parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      product: { type: 'string' },
      module: { type: 'string' },
      version: { type: 'string' },
      type: { type: 'string' },
      'source-version': { type: 'string' },
      'source-sha256': { type: 'string' },
      'target-sha256': { type: 'string' },
      'security-version': { type: 'string' },
      'allow-downgrade': { type: 'boolean' },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean' },
    },
  });

export async function run(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`updraft sign: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  const { positionals, values } = parsed;
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  try {
    if (positionals[0] === 'keygen' && positionals.length === 2) return await keygen(positionals[1]!);
    const [keyPath, ...files] = positionals;
    if (!keyPath || files.length === 0 || !values.product || !values.version) {
      process.stderr.write(usage);
      return 2;
    }
    const privateKey = privateKeyOf(await readFile(keyPath, 'utf8'));
    const type = values.type ?? 'full';
    if (type !== 'full' && type !== 'delta') throw new ManifestError('bad_field', '--type is full or delta');
    const listed = await Promise.all(
      files.map(async (path, i) => ({
        index: i + 1,
        name: basename(path),
        size: (await stat(path)).size,
        sha256: await sha256Of(path),
      })),
    );
    const security = values['security-version'] ?? '0';
    if (!/^\d{1,10}$/.test(security)) throw new ManifestError('bad_field', '--security-version is a number');
    const targetSha256 = values['target-sha256'] ?? (type === 'full' ? listed[0]!.sha256 : undefined);
    if (!targetSha256) throw new ManifestError('bad_field', 'a delta needs --target-sha256');
    const { bytes, signature } = signManifest(
      {
        product: values.product,
        module: values.module ?? 'default',
        version: values.version,
        type,
        sourceVersion: values['source-version'] ?? null,
        sourceSha256: values['source-sha256'] ?? null,
        targetSha256,
        securityVersion: Number(security),
        allowDowngrade: values['allow-downgrade'] ?? false,
        signedAt: Math.floor(Date.now() / 1000),
        keyId: keyIdOf(createPublicKey(privateKey)),
        files: listed,
      },
      privateKey,
    );
    const out = values.out ?? `${files[0]}.manifest`;
    await writeFile(out, bytes);
    await writeFile(`${out}.sig`, `${signature}\n`);
    process.stdout.write(`manifest   ${out}\nsignature  ${out}.sig\n`);
    return 0;
  } catch (error) {
    const known = error instanceof ManifestError || (error as NodeJS.ErrnoException).code !== undefined;
    process.stderr.write(`updraft sign: ${(error as Error).message}\n`);
    return known ? 1 : 70;
  }
}
