import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  createQuectelPassword,
  parseQuectelPassword,
  quectelClientId,
  quectelTopics,
  verifyQuectelPassword,
} from './identity.ts';

const clientId = quectelClientId('pk_meter', 'm-1');
const secret = 'c2VjcmV0LW9mLW0tMQ';
const now = 1_800_000_000;

function signed(password: string) {
  const parsed = parseQuectelPassword(password);
  assert.equal(parsed.kind, 'signed');
  return parsed as Extract<typeof parsed, { kind: 'signed' }>;
}

describe('Quectel identity', () => {
  it('names a device qd{ProductKey}{DeviceKey} with its topics (protocols.md §3.2)', () => {
    assert.equal(clientId, 'qdpk_meterm-1');
    assert.equal(quectelTopics.subscription(clientId), 'q/1/d/qdpk_meterm-1/+');
    assert.equal(quectelTopics.downlink(clientId), 'q/1/d/qdpk_meterm-1/ota');
    assert.equal(quectelTopics.uplink(clientId), 'q/2/d/qdpk_meterm-1/ota');
    assert.equal(quectelTopics.uplink(clientId, 'sys'), 'q/2/d/qdpk_meterm-1/sys');
  });

  it('signs qs1;{et};base64url(HMAC-SHA256(secret, "{clientId};{et}"))', () => {
    const et = now + 3600;
    const expected = createHmac('sha256', secret).update(`${clientId};${et}`).digest('base64url');
    assert.equal(createQuectelPassword(clientId, secret, et), `qs1;${et};${expected}`);
  });

  it('verifies a signed password until it expires, for its own client id and secret only', () => {
    const password = signed(createQuectelPassword(clientId, secret, now + 3600));
    assert.equal(verifyQuectelPassword(password, clientId, secret, now), true);
    assert.equal(verifyQuectelPassword(password, clientId, secret, now + 3600), false, 'expired');
    assert.equal(verifyQuectelPassword(password, 'qdpk_meterm-2', secret, now), false, 'another device');
    assert.equal(verifyQuectelPassword(password, clientId, `${secret}x`, now), false, 'another secret');
    const tampered = { ...password, et: password.et + 1 };
    assert.equal(verifyQuectelPassword(tampered, clientId, secret, now), false, 'another expiry');
  });

  it('refuses a password that expires more than a year and a day ahead', () => {
    const far = signed(createQuectelPassword(clientId, secret, now + 367 * 86_400));
    assert.equal(verifyQuectelPassword(far, clientId, secret, now), false);
    const year = signed(createQuectelPassword(clientId, secret, now + 365 * 86_400));
    assert.equal(verifyQuectelPassword(year, clientId, secret, now), true);
  });

  it('takes anything not in the signed form as the plain secret; a broken signed form is malformed', () => {
    assert.deepEqual(parseQuectelPassword(secret), { kind: 'plain', secret });
    assert.deepEqual(parseQuectelPassword('qs1;12;short'), { kind: 'malformed' });
    assert.deepEqual(parseQuectelPassword('qs1;;'), { kind: 'malformed' });
  });
});
