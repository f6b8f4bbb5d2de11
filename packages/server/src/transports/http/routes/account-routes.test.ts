import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminPassword, createTestApp, type TestApp } from '../../../test-support/test-app.ts';
import { skipReason } from '../../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

function sessionCookieOf(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie.join(';') : (setCookie ?? '');
  const match = /updraft_session=([^;]+)/.exec(header);
  assert.ok(match, 'a session cookie is set');
  return match[1]!;
}

describe('accounts API', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('signs the first admin in with an HTTP-only cookie and refuses a wrong password', async () => {
    const wrong = await t.anonymous.post('/api/v1/auth/login', {
      username: 'admin',
      password: 'not-the-password',
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().code, 'INVALID_CREDENTIALS');
    const res = await t.anonymous.post('/api/v1/auth/login', { username: 'admin', password: adminPassword });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['set-cookie']), /HttpOnly/);
    assert.match(String(res.headers['set-cookie']), /SameSite=Lax/);
    assert.equal(res.json().user.role, 'admin');
  });

  it('needs the CSRF token for changes made with a cookie session', async () => {
    const login = await t.anonymous.post('/api/v1/auth/login', {
      username: 'admin',
      password: adminPassword,
    });
    const cookie = `updraft_session=${sessionCookieOf(login.headers['set-cookie'])}`;
    const { csrfToken } = login.json();
    const me = await t.anonymous.request({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    assert.equal(me.json().name, 'admin');
    const withoutToken = await t.anonymous.request({
      method: 'POST',
      url: '/api/v1/products',
      headers: { cookie },
      payload: { name: 'csrf' },
    });
    assert.equal(withoutToken.statusCode, 403);
    assert.equal(withoutToken.json().code, 'CSRF_TOKEN_INVALID');
    const withToken = await t.anonymous.request({
      method: 'POST',
      url: '/api/v1/products',
      headers: { cookie, 'x-csrf-token': csrfToken },
      payload: { name: 'csrf' },
    });
    assert.equal(withToken.statusCode, 201);
    const logout = await t.anonymous.request({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    assert.equal(logout.statusCode, 204);
    const after = await t.anonymous.request({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    assert.equal(after.json().code, 'UNAUTHENTICATED');
  });

  it('expires a session after its lifetime', async () => {
    const login = await t.anonymous.post('/api/v1/auth/login', {
      username: 'admin',
      password: adminPassword,
    });
    const cookie = `updraft_session=${sessionCookieOf(login.headers['set-cookie'])}`;
    t.clock.advance(13 * 3600_000);
    const me = await t.anonymous.request({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } });
    assert.equal(me.statusCode, 401);
    t.clock.advance(-13 * 3600_000);
  });

  it('creates users, refuses duplicates and weak passwords, and keeps users admin-only', async () => {
    const created = await t.admin.post('/api/v1/users', {
      username: 'olga',
      password: 'operator-pass-1',
      role: 'operator',
    });
    assert.equal(created.statusCode, 201);
    assert.equal(created.json().role, 'operator');
    assert.equal(
      (
        await t.admin.post('/api/v1/users', { username: 'olga', password: 'operator-pass-1', role: 'viewer' })
      ).json().code,
      'USERNAME_TAKEN',
    );
    assert.equal(
      (await t.admin.post('/api/v1/users', { username: 'weak', password: 'short', role: 'viewer' }))
        .statusCode,
      400,
    );
    assert.equal(
      (
        await t.admin.post('/api/v1/users', {
          username: 'bad name',
          password: 'long-enough-1',
          role: 'viewer',
        })
      ).statusCode,
      400,
    );
    assert.equal(
      (await t.admin.post('/api/v1/users', { username: 'r', password: 'long-enough-1', role: 'root' }))
        .statusCode,
      400,
    );
    const operator = await t.as('operator');
    assert.equal((await operator.get('/api/v1/users')).json().code, 'FORBIDDEN');
    const login = await t.anonymous.post('/api/v1/auth/login', {
      username: 'olga',
      password: 'operator-pass-1',
    });
    assert.equal(login.json().user.role, 'operator');
  });

  it('disables a user, which ends their sign-in', async () => {
    const user = (
      await t.admin.post('/api/v1/users', { username: 'vic', password: 'viewer-pass-1', role: 'viewer' })
    ).json();
    assert.equal((await t.admin.patch(`/api/v1/users/${user.id}`, { disabled: true })).json().disabled, true);
    const login = await t.anonymous.post('/api/v1/auth/login', {
      username: 'vic',
      password: 'viewer-pass-1',
    });
    assert.equal(login.json().code, 'INVALID_CREDENTIALS');
  });

  it('creates an API key shown once, authenticates with it, and revokes it', async () => {
    const created = await t.admin.post('/api/v1/api-keys', { name: 'ci', role: 'viewer' });
    assert.equal(created.statusCode, 201);
    const { key, secret } = created.json();
    assert.match(secret, /^upd_/);
    const listed = (await t.admin.get('/api/v1/api-keys')).json();
    assert.ok(!JSON.stringify(listed).includes(secret), 'the secret is never listed');
    const headers = { authorization: `Bearer ${secret}` };
    assert.equal(
      (await t.anonymous.request({ method: 'GET', url: '/api/v1/products', headers })).statusCode,
      200,
    );
    assert.equal((await t.admin.delete(`/api/v1/api-keys/${key.id}`)).json().revokedAt !== null, true);
    const refused = await t.anonymous.request({ method: 'GET', url: '/api/v1/products', headers });
    assert.equal(refused.json().code, 'UNAUTHENTICATED');
    const forged = await t.anonymous.request({
      method: 'GET',
      url: '/api/v1/products',
      headers: { authorization: `Bearer ${secret.slice(0, -2)}xx` },
    });
    assert.equal(forged.statusCode, 401);
  });

  it('lists users by role, name and disabled, page by page', async () => {
    for (const [username, role] of [
      ['filter-ann', 'viewer'],
      ['filter-bea', 'viewer'],
      ['filter-cid', 'operator'],
      ['FILTER-dan', 'viewer'],
    ] as const) {
      const res = await t.admin.post('/api/v1/users', { username, password: 'long-enough-1', role });
      assert.equal(res.statusCode, 201, res.body);
    }
    const bea = (await t.admin.get('/api/v1/users?q=filter-bea')).json().items[0];
    await t.admin.patch(`/api/v1/users/${bea.id}`, { disabled: true });
    const names = async (query: string) => {
      const res = await t.admin.get(`/api/v1/users?${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json().items.map((u: { username: string }) => u.username);
    };
    assert.deepEqual(await names('q=filter'), ['filter-ann', 'filter-bea', 'filter-cid', 'FILTER-dan']);
    assert.deepEqual(await names('q=filter&role=viewer&disabled=false'), ['filter-ann', 'FILTER-dan']);
    assert.deepEqual(await names('q=filter&role=operator'), ['filter-cid']);
    assert.deepEqual(await names('q=filter&disabled=true'), ['filter-bea']);
    assert.deepEqual(await names('role=admin'), ['admin']);
    assert.deepEqual(await names('q=%25'), [], 'a % is a character, not a wildcard');
    const first = (await t.admin.get('/api/v1/users?q=filter&role=viewer&limit=2')).json();
    assert.deepEqual(
      first.items.map((u: { username: string }) => u.username),
      ['filter-ann', 'filter-bea'],
    );
    assert.deepEqual(await names(`q=filter&role=viewer&limit=2&cursor=${first.nextCursor}`), ['FILTER-dan']);
    const otherFilter = await t.admin.get(`/api/v1/users?q=filter&cursor=${first.nextCursor}`);
    assert.equal(otherFilter.json().code, 'INVALID_CURSOR');
    assert.equal((await t.admin.get('/api/v1/users?role=root')).json().code, 'VALIDATION_FAILED');
    assert.equal((await t.admin.get('/api/v1/users?q=a&colour=red')).json().code, 'UNKNOWN_FIELD');
  });

  it('lists API keys by role and revoked, page by page', async () => {
    const made: Record<string, number> = {};
    for (const [name, role] of [
      ['list-a', 'viewer'],
      ['list-b', 'operator'],
      ['list-c', 'viewer'],
      ['list-d', 'viewer'],
    ] as const) {
      made[name] = (await t.admin.post('/api/v1/api-keys', { name, role })).json().key.id;
    }
    await t.admin.delete(`/api/v1/api-keys/${made['list-c']}`);
    const names = async (query: string) => {
      const res = await t.admin.get(`/api/v1/api-keys?${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res
        .json()
        .items.map((k: { name: string }) => k.name)
        .filter((n: string) => n.startsWith('list-'));
    };
    assert.deepEqual(await names('role=viewer&limit=500'), ['list-a', 'list-c', 'list-d']);
    assert.deepEqual(await names('role=operator&limit=500'), ['list-b']);
    assert.deepEqual(await names('revoked=true&limit=500'), ['list-c']);
    assert.deepEqual(await names('role=viewer&revoked=false&limit=500'), ['list-a', 'list-d']);
    const all = (await t.admin.get('/api/v1/api-keys?role=viewer')).json().items.length;
    const first = (await t.admin.get('/api/v1/api-keys?role=viewer&limit=1')).json();
    assert.ok(first.nextCursor);
    let seen = first.items.length;
    for (let cursor = first.nextCursor; cursor; ) {
      const page = (await t.admin.get(`/api/v1/api-keys?role=viewer&limit=1&cursor=${cursor}`)).json();
      seen += page.items.length;
      cursor = page.nextCursor;
    }
    assert.equal(seen, all);
    assert.equal((await t.admin.get('/api/v1/api-keys?revoked=maybe')).json().code, 'VALIDATION_FAILED');
  });

  it('refuses a cursor made by another list with INVALID_CURSOR', async () => {
    for (let i = 0; i < 3; i++) {
      await t.admin.post('/api/v1/users', {
        username: `cross-${i}`,
        password: 'long-enough-1',
        role: 'viewer',
      });
      await t.admin.post('/api/v1/api-keys', { name: `cross-${i}`, role: 'viewer' });
    }
    // Neither list has a filter here, so only the list a cursor names tells them apart.
    const users = (await t.admin.get('/api/v1/users?limit=1')).json();
    const keys = (await t.admin.get('/api/v1/api-keys?limit=1')).json();
    assert.ok(users.nextCursor && keys.nextCursor);
    for (const [url, cursor] of [
      ['/api/v1/api-keys', users.nextCursor],
      ['/api/v1/users', keys.nextCursor],
      ['/api/v1/products', users.nextCursor],
      ['/api/v1/webhooks', keys.nextCursor],
    ]) {
      const res = await t.admin.get(`${url}?cursor=${cursor}`);
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().code, 'INVALID_CURSOR', url);
      assert.match(res.json().message, /another list/, url);
    }
    assert.equal((await t.admin.get(`/api/v1/users?cursor=${users.nextCursor}`)).statusCode, 200);
    assert.equal((await t.admin.get(`/api/v1/api-keys?cursor=${keys.nextCursor}`)).statusCode, 200);
  });
});
