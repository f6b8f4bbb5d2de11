import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const boundary = 'updraft-test-boundary';

type Part =
  | [name: string, value: string]
  | [name: string, filename: string | Buffer, content: Buffer | string];

/** A multipart/form-data body written by hand, so that file names can carry any bytes. */
function form(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const chunks: Buffer[] = [];
  for (const [name, a, b] of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"`));
    if (b === undefined) chunks.push(Buffer.from(`\r\n\r\n${a}\r\n`));
    else {
      chunks.push(Buffer.from('; filename="'), Buffer.from(a), Buffer.from('"\r\n'));
      chunks.push(
        Buffer.from('Content-Type: application/octet-stream\r\n\r\n'),
        Buffer.from(b),
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

describe('firmware API', { skip }, () => {
  let t: TestApp;
  let productId: number;
  let firmwareDir: string;
  let versions = 0;
  const nextVersion = () => `1.0.${++versions}`;

  const upload = (parts: Part[], caller = t.admin, product = productId) =>
    caller.request({ method: 'POST', url: `/api/v1/products/${product}/firmware`, ...form(parts) });

  /** Every blob and temporary file under the firmware folder. */
  function storedFiles(): string[] {
    if (!existsSync(firmwareDir)) return [];
    return readdirSync(firmwareDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
  }
  const tempFiles = () => storedFiles().filter((p) => p.includes('.tmp'));

  async function refused(parts: Part[], status: number, code: string) {
    const blobsBefore = storedFiles().length;
    const res = await upload(parts);
    assert.equal(res.statusCode, status, res.body);
    assert.equal(res.json().code, code, res.body);
    assert.equal(storedFiles().length, blobsBefore, 'no blob was added');
    assert.deepEqual(tempFiles(), []);
    return res.json();
  }

  before(async () => {
    t = await createTestApp({ firmwareMaxFileBytes: 1024, firmwareMaxFiles: 3 });
    firmwareDir = t.app.config.firmwareDir;
    productId = (await t.admin.post('/api/v1/products', { name: 'Meter' })).json().id;
    await t.admin.post(`/api/v1/products/${productId}/modules`, { name: 'MCU', kind: 'mcu' });
  });
  after(() => t.close());

  it('stores a package with size, sha256 and md5 of every file and serves it back', async () => {
    const res = await upload([
      ['version', '2.1.0'],
      ['releaseNotes', 'Fixes the clock'],
      ['extData', '{"channel":"beta"}'],
      ['file', 'app.bin', 'application image'],
      ['file', 'boot.tar.gz', 'boot loader'],
    ]);
    assert.equal(res.statusCode, 201, res.body);
    const pkg = res.json();
    assert.equal(pkg.module, 'default');
    assert.equal(pkg.type, 'full');
    assert.equal(pkg.sourceVersion, null);
    assert.deepEqual(pkg.extData, { channel: 'beta' });
    assert.equal(pkg.verified, false);
    assert.equal(pkg.createdBy, 'test admin');
    assert.equal(pkg.totalSize, 'application image'.length + 'boot loader'.length);
    assert.deepEqual(pkg.files[0], {
      position: 1,
      name: 'app.bin',
      size: 17,
      sha256: sha256('application image'),
      md5: md5('application image'),
    });
    assert.ok(existsSync(join(firmwareDir, pkg.files[0].sha256.slice(0, 2), pkg.files[0].sha256)));

    const download = await t.admin.get(`/api/v1/firmware/${pkg.id}/files/2`);
    assert.equal(download.statusCode, 200);
    assert.equal(download.body, 'boot loader');
    assert.equal(download.headers['content-length'], '11');
    assert.equal(download.headers['etag'], `"${sha256('boot loader')}"`);
    assert.equal(download.headers['x-checksum-sha256'], sha256('boot loader'));
    assert.equal(download.headers['x-checksum-md5'], md5('boot loader'));
    assert.equal(
      download.headers['content-disposition'],
      `attachment; filename="boot.tar.gz"; filename*=UTF-8''boot.tar.gz`,
    );
    assert.equal((await t.admin.get(`/api/v1/firmware/${pkg.id}/files/3`)).json().code, 'NOT_FOUND');
    assert.deepEqual((await t.admin.get(`/api/v1/firmware/${pkg.id}`)).json(), pkg);
  });

  it('keeps a UTF-8 file name and downloads it with an RFC 6266 filename*', async () => {
    const res = await upload([
      ['version', nextVersion()],
      ['file', Buffer.from('Zähler-固件.bin'), 'x'],
    ]);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().files[0].name, 'Zähler-固件.bin');
    const download = await t.admin.get(`/api/v1/firmware/${res.json().id}/files/1`);
    assert.equal(
      download.headers['content-disposition'],
      `attachment; filename="Z_hler-__.bin"; filename*=UTF-8''${encodeURIComponent('Zähler-固件.bin')}`,
    );
  });

  it('accepts a delta that names its source version, once per source', async () => {
    const delta = (source: string) =>
      [
        ['module', 'MCU'],
        ['version', '3.0.0'],
        ['type', 'delta'],
        ['sourceVersion', source],
        ['file', 'patch.bin', `from ${source}`],
      ] as Part[];
    assert.equal(
      (
        await upload([
          ['module', 'MCU'],
          ['version', '3.0.0'],
          ['file', 'full.bin', 'full'],
        ])
      ).statusCode,
      201,
    );
    const first = await upload(delta('2.0.0'));
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json().sourceVersion, '2.0.0');
    assert.equal((await upload(delta('2.5.0'))).statusCode, 201);
    await refused(delta('2.0.0'), 409, 'FIRMWARE_VERSION_EXISTS');
  });

  it('refuses a duplicate version before storing any byte', async () => {
    await refused(
      [
        ['version', '2.1.0'],
        ['file', 'again.bin', 'other bytes'],
      ],
      409,
      'FIRMWARE_VERSION_EXISTS',
    );
  });

  it('refuses each bad field with a coded error', async () => {
    const file: Part = ['file', 'a.bin', 'abc'];
    await refused([file], 400, 'VALIDATION_FAILED');
    await refused([['version', ''], file], 400, 'VALIDATION_FAILED');
    await refused([['version', 'v 1'], file], 400, 'VALIDATION_FAILED');
    await refused([['version', 'x'.repeat(51)], file], 400, 'VALIDATION_FAILED');
    await refused([['version', '1/2'], file], 400, 'VALIDATION_FAILED');
    await refused([['version', nextVersion()], ['type', 'partial'], file], 400, 'VALIDATION_FAILED');
    const noSource = await refused(
      [['version', nextVersion()], ['type', 'delta'], file],
      400,
      'VALIDATION_FAILED',
    );
    assert.equal(noSource.details.field, 'sourceVersion');
    await refused([['version', nextVersion()], ['sourceVersion', '1.0'], file], 400, 'VALIDATION_FAILED');
    await refused(
      [['version', '1.0'], ['type', 'delta'], ['sourceVersion', '1.0'], file],
      400,
      'VALIDATION_FAILED',
    );
    await refused(
      [['version', nextVersion()], ['type', 'delta'], ['sourceVersion', 'bad version'], file],
      400,
      'VALIDATION_FAILED',
    );
    await refused(
      [['version', nextVersion()], ['releaseNotes', 'n'.repeat(2001)], file],
      400,
      'VALIDATION_FAILED',
    );
    await refused([['version', nextVersion()], ['extData', 'not json'], file], 400, 'VALIDATION_FAILED');
    await refused([['version', nextVersion()], ['extData', '["a"]'], file], 400, 'VALIDATION_FAILED');
    await refused([['version', nextVersion()], ['extData', '{"n":1}'], file], 400, 'VALIDATION_FAILED');
    const many = JSON.stringify(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])));
    await refused([['version', nextVersion()], ['extData', many], file], 400, 'VALIDATION_FAILED');
    await refused([['version', nextVersion()], ['version', '9.9'], file], 400, 'VALIDATION_FAILED');
    await refused([['version', nextVersion()], file, ['releaseNotes', 'late']], 400, 'VALIDATION_FAILED');
  });

  it('takes an empty field as an absent one, as HTML forms and Swagger UI send them', async () => {
    const res = await upload([
      ['module', ''],
      ['version', '8.0.0'],
      ['type', ''],
      ['sourceVersion', ''],
      ['releaseNotes', ''],
      ['extData', ''],
      ['file', 'empty-fields.bin', 'x'],
    ]);
    assert.equal(res.statusCode, 201, res.body);
    const pkg = res.json();
    assert.deepEqual(
      [pkg.module, pkg.type, pkg.sourceVersion, pkg.releaseNotes, pkg.extData],
      ['default', 'full', null, '', {}],
    );
    // Still required where required, and still sent once only.
    await refused(
      [
        ['version', ''],
        ['file', 'a.bin', 'x'],
      ],
      400,
      'VALIDATION_FAILED',
    );
    const noSource = await refused(
      [
        ['version', nextVersion()],
        ['type', 'delta'],
        ['sourceVersion', ''],
        ['file', 'a.bin', 'x'],
      ],
      400,
      'VALIDATION_FAILED',
    );
    assert.equal(noSource.details.field, 'sourceVersion');
    await refused(
      [
        ['version', ''],
        ['version', nextVersion()],
        ['file', 'a.bin', 'x'],
      ],
      400,
      'VALIDATION_FAILED',
    );
  });

  it('refuses a module the product does not have and a product that does not exist', async () => {
    await refused(
      [
        ['module', 'GPS'],
        ['version', nextVersion()],
        ['file', 'a.bin', 'x'],
      ],
      404,
      'NOT_FOUND',
    );
    const res = await upload(
      [
        ['version', nextVersion()],
        ['file', 'a.bin', 'x'],
      ],
      t.admin,
      999_999,
    );
    assert.equal(res.json().code, 'NOT_FOUND');
  });

  it('refuses unknown fields and files under another name', async () => {
    const unknown = await refused(
      [
        ['version', nextVersion()],
        ['colour', 'red'],
        ['file', 'a.bin', 'x'],
      ],
      400,
      'UNKNOWN_FIELD',
    );
    assert.equal(unknown.details.field, 'colour');
    await refused(
      [
        ['version', nextVersion()],
        ['firmware', 'a.bin', 'x'],
      ],
      400,
      'UNKNOWN_FIELD',
    );
    await refused(
      [
        ['version', nextVersion()],
        ['__proto__', 'x'],
        ['file', 'a.bin', 'x'],
      ],
      400,
      'UNKNOWN_FIELD',
    );
  });

  it('refuses no files, too many files and too large a file', async () => {
    await refused([['version', nextVersion()]], 400, 'FIRMWARE_NO_FILES');
    const four = [1, 2, 3, 4].map((n) => ['file', `p${n}.bin`, `part ${n}`] as Part);
    await refused([['version', nextVersion()], ...four], 400, 'FIRMWARE_TOO_MANY_FILES');
    await refused(
      [
        ['version', nextVersion()],
        ['file', 'ok.bin', 'fine'],
        ['file', 'big.bin', Buffer.alloc(1025)],
      ],
      413,
      'FIRMWARE_FILE_TOO_LARGE',
    );
    assert.equal(
      (
        await upload([
          ['version', nextVersion()],
          ['file', 'limit.bin', Buffer.alloc(1024, 1)],
        ])
      ).statusCode,
      201,
      'exactly the limit is fine',
    );
  });

  it('refuses an empty file, alone or beside others, and keeps nothing', async () => {
    await refused(
      [
        ['version', nextVersion()],
        ['file', 'empty.bin', ''],
      ],
      400,
      'FIRMWARE_FILE_EMPTY',
    );
    await refused(
      [
        ['version', nextVersion()],
        ['file', 'ok.bin', 'fine'],
        ['file', 'empty.bin', Buffer.alloc(0)],
      ],
      400,
      'FIRMWARE_FILE_EMPTY',
    );
  });

  it('refuses file names with folders, control characters, bad UTF-8 or a wrong extension', async () => {
    for (const name of [
      '../x.bin',
      'a/b.bin',
      '..\\\\x.bin',
      'a\\\\b.bin',
      '/etc/x.bin',
      'x..bin',
      'tab\there.bin',
    ]) {
      const body = await refused(
        [
          ['version', nextVersion()],
          ['file', name, 'x'],
        ],
        400,
        'FIRMWARE_FILE_NAME',
      );
      assert.ok(body.details.name.length > 0, name);
    }
    const latin1 = Buffer.from([0x5a, 0xe4, 0x68, 0x6c, 0x65, 0x72, 0x2e, 0x62, 0x69, 0x6e]); // "Zähler.bin" in latin1
    await refused(
      [
        ['version', nextVersion()],
        ['file', latin1, 'x'],
      ],
      400,
      'FIRMWARE_FILE_NAME',
    );
    await refused(
      [
        ['version', nextVersion()],
        ['file', `${'n'.repeat(252)}.bin`, 'x'],
      ],
      400,
      'FIRMWARE_FILE_NAME',
    );
    await refused(
      [
        ['version', nextVersion()],
        ['file', 'same.bin', 'x'],
        ['file', 'same.bin', 'y'],
      ],
      400,
      'FIRMWARE_FILE_NAME',
    );
    await refused(
      [
        ['version', nextVersion()],
        ['file', 'setup.exe', 'x'],
      ],
      400,
      'FIRMWARE_FILE_TYPE',
    );
    await refused(
      [
        ['version', nextVersion()],
        ['file', '.bin', 'x'],
      ],
      400,
      'FIRMWARE_FILE_TYPE',
    );
    await refused(
      [
        ['version', nextVersion()],
        ['file', 'ok.bin', 'x'],
        ['file', 'notes.txt', 'x'],
      ],
      400,
      'FIRMWARE_FILE_TYPE',
    );
    assert.equal(
      (
        await upload([
          ['version', nextVersion()],
          ['file', 'IMAGE.BIN', 'x'],
        ])
      ).statusCode,
      201,
    );
    assert.equal(
      (
        await upload([
          ['version', nextVersion()],
          ['file', 'fw.mini_1', 'x'],
        ])
      ).statusCode,
      201,
    );
  });

  it('refuses a body that is not multipart or is malformed', async () => {
    const json = await t.admin.post(`/api/v1/products/${productId}/firmware`, { version: '1' });
    assert.equal(json.statusCode, 415);
    assert.equal(json.json().code, 'UNSUPPORTED_MEDIA_TYPE');
    const cut = form([
      ['version', nextVersion()],
      ['file', 'a.bin', 'abc'],
    ]);
    const res = await t.admin.request({
      method: 'POST',
      url: `/api/v1/products/${productId}/firmware`,
      headers: cut.headers,
      payload: cut.payload.subarray(0, cut.payload.length - 20),
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 'VALIDATION_FAILED');
    assert.deepEqual(tempFiles(), []);
  });

  it('lets operators upload and download, viewers only read, and nobody in without a key', async () => {
    const viewer = await t.as('viewer');
    const operator = await t.as('operator');
    const parts: Part[] = [
      ['version', nextVersion()],
      ['file', 'a.bin', 'by operator'],
    ];
    assert.equal((await upload(parts, viewer)).json().code, 'FORBIDDEN');
    assert.equal((await upload(parts, t.anonymous)).json().code, 'UNAUTHENTICATED');
    const created = await upload(parts, operator);
    assert.equal(created.statusCode, 201);
    assert.equal(created.json().createdBy, 'test operator');
    const id = created.json().id;
    assert.equal((await viewer.get(`/api/v1/firmware/${id}`)).statusCode, 200);
    const viewerDownload = await viewer.get(`/api/v1/firmware/${id}/files/1`);
    assert.equal(viewerDownload.statusCode, 403);
    assert.equal(viewerDownload.json().code, 'FORBIDDEN');
    assert.equal((await operator.get(`/api/v1/firmware/${id}/files/1`)).body, 'by operator');
    assert.equal((await t.anonymous.get(`/api/v1/firmware/${id}/files/1`)).statusCode, 401);
    assert.equal((await viewer.patch(`/api/v1/firmware/${id}`, { releaseNotes: 'x' })).statusCode, 403);
    assert.equal((await viewer.delete(`/api/v1/firmware/${id}`)).statusCode, 403);
    assert.equal((await operator.delete(`/api/v1/firmware/${id}`)).statusCode, 204);
  });

  it('lists with filters and signed cursors', async () => {
    const all = (await t.admin.get(`/api/v1/firmware?productId=${productId}&module=MCU&limit=2`)).json();
    assert.equal(all.items.length, 2);
    assert.ok(all.nextCursor);
    const rest = (
      await t.admin.get(`/api/v1/firmware?productId=${productId}&module=MCU&limit=2&cursor=${all.nextCursor}`)
    ).json();
    assert.equal(rest.items.length, 1);
    assert.equal(rest.nextCursor, null);
    const deltas = (await t.admin.get(`/api/v1/firmware?type=delta&version=3.0.0`)).json();
    assert.deepEqual(deltas.items.map((p: { sourceVersion: string }) => p.sourceVersion).sort(), [
      '2.0.0',
      '2.5.0',
    ]);
    assert.equal((await t.admin.get('/api/v1/firmware?type=other')).json().code, 'VALIDATION_FAILED');
    assert.equal((await t.admin.get('/api/v1/firmware?colour=red')).json().code, 'UNKNOWN_FIELD');
  });

  it('takes an empty field after the files as absent, and refuses a field with a value there', async () => {
    const version = nextVersion();
    const late = await upload([
      ['version', version],
      ['file', 'app.bin', 'late fields'],
      ['sourceVersion', ''],
      ['remark', ''],
    ]);
    assert.equal(late.statusCode, 201, late.body);
    assert.equal(late.json().sourceVersion, null);
    const body = await refused(
      [
        ['version', nextVersion()],
        ['file', 'app.bin', 'late value'],
        ['remark', 'too late'],
      ],
      400,
      'VALIDATION_FAILED',
    );
    assert.equal(body.details.field, 'remark');
  });

  it('documents the multipart upload, fields before files, in OpenAPI', async () => {
    const spec = (await t.app.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    const body = spec.paths['/api/v1/products/{id}/firmware'].post.requestBody;
    assert.deepEqual(Object.keys(body.content), ['multipart/form-data']);
    const schema = body.content['multipart/form-data'].schema;
    assert.deepEqual(Object.keys(schema.properties), [
      'module',
      'name',
      'version',
      'type',
      'sourceVersion',
      'releaseNotes',
      'remark',
      'extData',
      'manifest',
      'signature',
      'securityVersion',
      'file',
    ]);
    assert.deepEqual(schema.required, ['version', 'file']);
    assert.equal(schema.properties.file.items.format, 'binary');
    assert.equal(schema.properties.file.maxItems, 3, 'the configured number of files');
    assert.equal(new RegExp(schema.properties.version.pattern).test('1.0.0-rc_1'), true);
  });

  it('refuses a forged, tampered, malformed or stale cursor on the list', async () => {
    const list = (query: string) => t.admin.get(`/api/v1/firmware?${query}`);
    const first = (await list(`productId=${productId}&module=MCU&limit=1`)).json();
    const cursor: string = first.nextCursor;
    assert.ok(cursor);
    const [body, signature] = cursor.split('.') as [string, string];
    const invalid = async (query: string, why: RegExp) => {
      const res = await list(query);
      assert.equal(res.statusCode, 400, query);
      assert.equal(res.json().code, 'INVALID_CURSOR', query);
      assert.match(res.json().message, why, query);
    };
    // Made for other filters (another module, another product, no filter at all).
    await invalid(`productId=${productId}&module=default&limit=1&cursor=${cursor}`, /other filters/);
    await invalid(`productId=${productId + 1}&module=MCU&cursor=${cursor}`, /other filters/);
    await invalid(`cursor=${cursor}`, /other filters/);
    // Forged: a body of our own with the real signature, or a signature of our own.
    const decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    const forgedBody = Buffer.from(JSON.stringify({ ...decoded, a: 0 })).toString('base64url');
    await invalid(`productId=${productId}&module=MCU&cursor=${forgedBody}.${signature}`, /bad signature/);
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    await invalid(`productId=${productId}&module=MCU&cursor=${body}.${flipped}`, /bad signature/);
    // Malformed.
    await invalid(`productId=${productId}&module=MCU&cursor=not-a-cursor`, /malformed/);
    await invalid(`productId=${productId}&module=MCU&cursor=${cursor}.extra`, /malformed/);
    // A cursor from another server (another secret) is forged as far as this one knows.
    const other = await createTestApp();
    try {
      await other.admin.post('/api/v1/products', { name: 'Other 1' });
      await other.admin.post('/api/v1/products', { name: 'Other 2' });
      const foreign = (await other.admin.get('/api/v1/products?limit=1')).json().nextCursor;
      assert.ok(foreign);
      const replayed = await t.admin.get(`/api/v1/products?limit=1&cursor=${foreign}`);
      assert.equal(replayed.json().code, 'INVALID_CURSOR');
      assert.match(replayed.json().message, /bad signature/);
    } finally {
      await other.close();
    }
    // The cursor itself still works with the filters it was made under.
    const second = await list(`productId=${productId}&module=MCU&limit=1&cursor=${cursor}`);
    assert.equal(second.statusCode, 200, second.body);
    assert.ok(second.json().items[0].id > first.items[0].id);
    // Keyset cursors outlive the row they point after: deleting it changes nothing for the next page.
    assert.equal((await t.admin.delete(`/api/v1/firmware/${first.items[0].id}`)).statusCode, 204);
    const afterDelete = await list(`productId=${productId}&module=MCU&limit=1&cursor=${cursor}`);
    assert.deepEqual(afterDelete.json().items, second.json().items);
  });

  it('changes release notes and extData and checks them', async () => {
    const id = (
      await upload([
        ['version', nextVersion()],
        ['file', 'a.bin', 'patch me'],
      ])
    ).json().id;
    const res = await t.admin.patch(`/api/v1/firmware/${id}`, {
      releaseNotes: 'Better',
      extData: { a: 'b' },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().releaseNotes, 'Better');
    assert.deepEqual(res.json().extData, { a: 'b' });
    assert.equal(
      (await t.admin.patch(`/api/v1/firmware/${id}`, { extData: { a: { b: 'c' } } })).json().code,
      'VALIDATION_FAILED',
    );
    assert.equal(
      (await t.admin.patch(`/api/v1/firmware/${id}`, { colour: 'red' })).json().code,
      'UNKNOWN_FIELD',
    );
    assert.equal((await t.admin.patch(`/api/v1/firmware/${id}`, {})).json().code, 'VALIDATION_FAILED');
    assert.equal(
      (await t.admin.patch('/api/v1/firmware/999999', { releaseNotes: 'x' })).json().code,
      'NOT_FOUND',
    );
  });

  it('refuses to delete a package a plan uses, and keeps it and its files', async () => {
    const pkg = (
      await upload([
        ['version', nextVersion()],
        ['file', 'planned.bin', 'in a plan'],
      ])
    ).json();
    const plan = await t.admin.post('/api/v1/plans', {
      name: 'uses the package',
      productId,
      firmwarePackageId: pkg.id,
      target: { kind: 'all' },
    });
    assert.equal(plan.statusCode, 201, plan.body);
    const refusedDelete = await t.admin.delete(`/api/v1/firmware/${pkg.id}`);
    assert.equal(refusedDelete.statusCode, 409, refusedDelete.body);
    assert.equal(refusedDelete.json().code, 'FIRMWARE_IN_USE');
    assert.equal(refusedDelete.json().details.id, pkg.id);
    assert.deepEqual((await t.admin.get(`/api/v1/firmware/${pkg.id}`)).json(), pkg);
    assert.equal((await t.admin.get(`/api/v1/firmware/${pkg.id}/files/1`)).body, 'in a plan');
    assert.ok(existsSync(join(firmwareDir, sha256('in a plan').slice(0, 2), sha256('in a plan'))));
  });

  it('deletes a package; the blobs no other package shares go once the grace period is over', async () => {
    const shared = 'shared bytes';
    const a = (
      await upload([
        ['version', nextVersion()],
        ['file', 'a.bin', shared],
        ['file', 'b.bin', 'only in a'],
      ])
    ).json();
    const b = (
      await upload([
        ['version', nextVersion()],
        ['file', 'c.bin', shared],
      ])
    ).json();
    const blob = (content: string) => join(firmwareDir, sha256(content).slice(0, 2), sha256(content));
    const grace = t.app.config.blobGraceHours * 3600_000;
    assert.equal((await t.admin.delete(`/api/v1/firmware/${a.id}`)).statusCode, 204);
    await t.app.blobSweeper.sweep();
    assert.equal(existsSync(blob('only in a')), true, 'kept during the grace period');
    t.clock.advance(grace + 1);
    await t.app.blobSweeper.sweep();
    assert.equal(existsSync(blob('only in a')), false);
    assert.equal(existsSync(blob(shared)), true, 'package b still needs it');
    assert.equal((await t.admin.get(`/api/v1/firmware/${b.id}/files/1`)).body, shared);
    assert.equal((await t.admin.delete(`/api/v1/firmware/${b.id}`)).statusCode, 204);
    t.clock.advance(grace + 1);
    await t.app.blobSweeper.sweep();
    assert.equal(existsSync(blob(shared)), false);
    assert.equal((await t.admin.delete(`/api/v1/firmware/${b.id}`)).json().code, 'NOT_FOUND');
  });

  it('keeps a blob that an upload takes up again within the grace period', async () => {
    const bytes = 'uploaded, deleted, uploaded again';
    const first = (
      await upload([
        ['version', nextVersion()],
        ['file', 'x.bin', bytes],
      ])
    ).json();
    assert.equal((await t.admin.delete(`/api/v1/firmware/${first.id}`)).statusCode, 204);
    const again = (
      await upload([
        ['version', nextVersion()],
        ['file', 'x.bin', bytes],
      ])
    ).json();
    t.clock.advance(t.app.config.blobGraceHours * 3600_000 + 1);
    await t.app.blobSweeper.sweep();
    assert.equal((await t.admin.get(`/api/v1/firmware/${again.id}/files/1`)).body, bytes);
  });

  it('finds a stored blob no package refers to (a crash before its row) and deletes it after the grace period', async () => {
    const key = sha256('left by a crash');
    mkdirSync(join(firmwareDir, key.slice(0, 2)), { recursive: true });
    writeFileSync(join(firmwareDir, key.slice(0, 2), key), 'left by a crash');
    // (The scheduler's own hourly sweep may find it first; either way it is recorded now.)
    await t.app.blobSweeper.sweep({ scan: true });
    assert.equal(existsSync(join(firmwareDir, key.slice(0, 2), key)), true);
    t.clock.advance(t.app.config.blobGraceHours * 3600_000 + 1);
    await t.app.blobSweeper.sweep();
    assert.equal(existsSync(join(firmwareDir, key.slice(0, 2), key)), false);
  });
});

describe('firmware API with its own file extensions (UPDRAFT_FIRMWARE_EXTENSIONS)', { skip }, () => {
  let t: TestApp;
  let productId: number;
  before(async () => {
    t = await createTestApp({}, { UPDRAFT_FIRMWARE_EXTENSIONS: 'hex, .IMG,tar.xz' });
    productId = (await t.admin.post('/api/v1/products', { name: 'Custom' })).json().id;
  });
  after(() => t.close());

  const upload = (version: string, name: string) =>
    t.admin.request({
      method: 'POST',
      url: `/api/v1/products/${productId}/firmware`,
      ...form([
        ['version', version],
        ['file', name, 'bytes'],
      ]),
    });

  it('accepts the configured endings, in any case, and only those', async () => {
    assert.deepEqual(t.app.config.firmwareExtensions, ['.hex', '.img', '.tar.xz']);
    for (const [version, name] of [
      ['1', 'app.hex'],
      ['2', 'APP.IMG'],
      ['3', 'rootfs.tar.xz'],
    ] as const) {
      const res = await upload(version, name);
      assert.equal(res.statusCode, 201, `${name}: ${res.body}`);
    }
    for (const name of ['app.bin', 'rootfs.xz', 'app.hex.txt', '.hex']) {
      const res = await upload('9', name);
      assert.equal(res.statusCode, 400, name);
      assert.equal(res.json().code, 'FIRMWARE_FILE_TYPE', name);
      assert.deepEqual(res.json().details.allowed, ['.hex', '.img', '.tar.xz'], name);
    }
    assert.equal((await t.admin.get(`/api/v1/firmware?productId=${productId}`)).json().items.length, 3);
  });
});
