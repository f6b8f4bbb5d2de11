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
});
