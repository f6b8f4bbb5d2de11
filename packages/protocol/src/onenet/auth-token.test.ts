import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { createOneNetToken, parseOneNetResource, parseOneNetToken, verifyOneNetToken } from './auth-token.ts';

const accessKey = Buffer.from('a product access key of 32 bytes').toString('base64');

describe('OneNET Authorization token', () => {
  it('round-trips with every method and refuses a changed field', () => {
    for (const method of ['md5', 'sha1', 'sha256'] as const) {
      const header = createOneNetToken(accessKey, 'products/245528', 7559008892, method);
      const token = parseOneNetToken(header);
      assert.ok(!('problem' in token));
      assert.equal(verifyOneNetToken(token, accessKey, 1_700_000_000), null);
      assert.equal(
        verifyOneNetToken({ ...token, res: 'products/1' }, accessKey, 1_700_000_000),
        'bad_signature',
      );
      assert.equal(
        verifyOneNetToken({ ...token, et: token.et + 1 }, accessKey, 1_700_000_000),
        'bad_signature',
      );
    }
  });

  it('signs et, method, res and version separated by newlines, as documented', () => {
    const et = 7559008892;
    const msg = `${et}\nsha1\nproducts/245528\n2018-10-31`;
    const sign = createHmac('sha1', Buffer.from(accessKey, 'base64')).update(msg).digest('base64');
    const header = createOneNetToken(accessKey, 'products/245528', et, 'sha1');
    assert.ok(header.includes(`sign=${encodeURIComponent(sign)}`));
    assert.ok(header.includes('res=products%2F245528'));
  });

  it("takes OneNET Studio's version 2022-05-01, signed over that version", () => {
    const header = createOneNetToken(accessKey, 'products/p/devices/d1', 7559008892, 'sha1', '2022-05-01');
    assert.ok(header.startsWith('version=2022-05-01&'));
    const token = parseOneNetToken(header);
    assert.ok(!('problem' in token));
    assert.equal(token.version, '2022-05-01');
    assert.equal(verifyOneNetToken(token, accessKey, 1_700_000_000), null);
    assert.equal(
      verifyOneNetToken({ ...token, version: '2018-10-31' }, accessKey, 1_700_000_000),
      'bad_signature',
      'the version is signed',
    );
  });

  it('refuses an expired token, another key, and malformed headers', () => {
    const header = createOneNetToken(accessKey, 'products/1', 1000);
    const token = parseOneNetToken(header);
    assert.ok(!('problem' in token));
    assert.equal(verifyOneNetToken(token, accessKey, 1001), 'expired');
    assert.equal(verifyOneNetToken(token, Buffer.from('other').toString('base64'), 999), 'bad_signature');
    assert.deepEqual(parseOneNetToken('garbage'), { problem: 'malformed' });
    assert.deepEqual(parseOneNetToken('version=2018-10-31&res=x&et=abc&method=md5&sign=x'), {
      problem: 'malformed',
    });
    assert.deepEqual(parseOneNetToken('version=2020-01-01&res=x&et=1&method=md5&sign=x'), {
      problem: 'unsupported_version',
    });
    assert.deepEqual(parseOneNetToken('version=2018-10-31&res=x&et=1&method=crc&sign=x'), {
      problem: 'unsupported_method',
    });
    assert.deepEqual(parseOneNetToken('version=2018-10-31&res=%E0%A4%A&et=1&method=md5&sign=x'), {
      problem: 'malformed',
    });
  });

  it('reads product and device resources', () => {
    assert.deepEqual(parseOneNetResource('products/245528'), { product: '245528' });
    assert.deepEqual(parseOneNetResource('products/p/devices/d1'), { product: 'p', device: 'd1' });
    assert.equal(parseOneNetResource('users/1'), null);
  });
});
