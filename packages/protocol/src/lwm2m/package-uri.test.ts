import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatPackageFacts,
  formatPackageUri,
  type PackageFacts,
  parsePackageFacts,
  parsePackageUri,
} from './package-uri.ts';

const facts: PackageFacts = {
  url: 'coap://127.0.0.1:5683/fw/ota_abcdefghijklmnopqrstuv',
  version: '2.0.1',
  size: 70_000,
  sha256: 'ab'.repeat(32),
  kind: 'full',
};

describe('the Package URI and its facts', () => {
  it('carries the version, size and sha256 in the query, and reads them back', () => {
    const uri = formatPackageUri(facts);
    assert.match(uri, /^coap:\/\/127\.0\.0\.1:5683\/fw\/ota_\w+\?v=2\.0\.1&size=70000&sha256=(ab){32}$/);
    assert.deepEqual(parsePackageUri(uri), facts);
  });

  it('marks a delta package', () => {
    const uri = formatPackageUri({ ...facts, kind: 'delta' });
    assert.equal(parsePackageUri(uri)?.kind, 'delta');
  });

  it('drops the facts when the URI would be longer than 255 characters', () => {
    const long = { ...facts, version: 'v'.repeat(120) };
    assert.equal(formatPackageUri(long), facts.url);
    assert.equal(parsePackageUri(facts.url), undefined);
  });

  it('reads no facts from a URI without them all, or with a bad hash or size', () => {
    assert.equal(parsePackageUri('not a uri'), undefined);
    assert.equal(parsePackageUri(`${facts.url}?v=2&size=10&sha256=xyz`), undefined);
    assert.equal(parsePackageUri(`${facts.url}?v=2&size=-1&sha256=${'a'.repeat(64)}`), undefined);
    assert.equal(parsePackageUri(`${facts.url}?size=10&sha256=${'a'.repeat(64)}`), undefined);
  });

  it('carries the facts as Uri-Query options of a Package write, and reads them back', () => {
    const { url: _url, ...rest } = facts;
    const parts = formatPackageFacts({ ...rest, kind: 'delta' });
    assert.deepEqual(parts, ['v=2.0.1', 'size=70000', `sha256=${'ab'.repeat(32)}`, 'delta=1']);
    assert.deepEqual(parsePackageFacts(parts), { ...rest, kind: 'delta' });
    assert.equal(parsePackageFacts(['v=2.0.1', 'size=70000']), undefined);
  });

  it('keeps an HTTP download URL as it was', () => {
    const http = { ...facts, url: 'http://127.0.0.1:8080/device/v1/download/ota_abcdefghijklmnopqrstuv' };
    assert.deepEqual(parsePackageUri(formatPackageUri(http)), http);
  });
});
