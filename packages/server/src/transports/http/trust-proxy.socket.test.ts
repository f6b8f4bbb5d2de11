// The client's address behind a reverse proxy (UPDRAFT_TRUST_PROXY, issue 21), over real
// sockets: off, a client's own X-Forwarded-For changes nothing; set to the proxy's address, the
// sign-in limit per address and the audit log go by the forwarded address.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminPassword, createTestApp, type TestApp } from '../../test-support/test-app.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;
const perAddress = 3;

/** An app on a loopback port with a sign-in limit of three attempts per address. */
async function listening(settings: Record<string, unknown>): Promise<{ t: TestApp; base: string }> {
  const t = await createTestApp({ loginMaxPerAddress: perAddress, loginMaxPerAccount: 100, ...settings });
  await t.app.http.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.http.server.address() as { port: number };
  return { t, base: `http://127.0.0.1:${port}` };
}

async function signIn(base: string, forwardedFor: string, password = 'not-the-password'): Promise<number> {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ username: 'admin', password }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** The address of the newest sign-in in the audit log. */
async function auditedAddress(t: TestApp): Promise<string> {
  const page = (await t.admin.get('/api/v1/audit-log?action=login&limit=1')).json<{
    items: { address: string }[];
  }>();
  return page.items[0]!.address;
}

describe('client address with UPDRAFT_TRUST_PROXY off', { skip }, () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    ({ t, base } = await listening({}));
  });
  after(() => t.close());

  it('records the connection’s peer in the audit log, not a forged X-Forwarded-For', async () => {
    assert.equal(await signIn(base, '203.0.113.7', adminPassword), 200);
    assert.equal(await auditedAddress(t), '127.0.0.1');
  });

  it('keeps one sign-in count per peer whatever X-Forwarded-For each attempt names', async () => {
    // The sign-in above counted too: two more reach the limit.
    const statuses = [];
    for (let i = 0; i < perAddress; i++) statuses.push(await signIn(base, `198.51.100.${i + 1}`));
    assert.deepEqual(statuses, [401, 401, 429]);
  });
});

describe('client address with UPDRAFT_TRUST_PROXY=127.0.0.1', { skip }, () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    ({ t, base } = await listening({ trustProxy: '127.0.0.1' }));
  });
  after(() => t.close());

  it('records the forwarded client address in the audit log', async () => {
    assert.equal(await signIn(base, '203.0.113.7', adminPassword), 200);
    assert.equal(await auditedAddress(t), '203.0.113.7');
    // nginx appends the peer it saw: the address next to the trusted proxy is the client.
    assert.equal(await signIn(base, '10.9.9.9, 203.0.113.8', adminPassword), 200);
    assert.equal(await auditedAddress(t), '203.0.113.8');
  });

  it('limits two forwarded clients separately', async () => {
    const first = [];
    for (let i = 0; i <= perAddress; i++) first.push(await signIn(base, '198.51.100.1'));
    assert.deepEqual(first, [401, 401, 401, 429]);
    assert.equal(await signIn(base, '198.51.100.2'), 401);
  });
});
