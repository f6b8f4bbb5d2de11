// Security headers on the console, the API and /docs, and a Secure session cookie when the
// public URL is https (issue 12).
import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import helmet, { type HelmetOptions } from 'helmet';
import { adminPassword, createTestApp, type TestApp } from '../../test-support/test-app.ts';
import { skipReason } from '../../test-support/test-database.ts';
import { securityHeaderSteps } from './security-headers.ts';

const skip = (await skipReason()) ?? false;

describe('security headers', { skip }, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('sends a CSP that forbids framing and foreign scripts, nosniff and a referrer policy everywhere', async () => {
    for (const url of [
      '/',
      '/products',
      '/api/v1/products',
      '/docs/',
      '/openapi.json',
      '/ota/south/check',
      '/nowhere',
    ]) {
      const res = await t.admin.get(url);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/, url);
      assert.match(csp, /script-src 'self'(;|$)/, url);
      assert.match(csp, /frame-ancestors 'none'/, url);
      assert.match(csp, /object-src 'none'/, url);
      assert.equal(res.headers['x-frame-options'], 'DENY', url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
    }
  });

  it('leaves the session cookie without Secure over plain HTTP', async () => {
    const login = await t.anonymous.post('/api/v1/auth/login', {
      username: 'admin',
      password: adminPassword,
    });
    assert.equal(login.statusCode, 200);
    assert.doesNotMatch(String(login.headers['set-cookie']), /Secure/);
  });

  it('marks the session cookie Secure by itself when UPDRAFT_PUBLIC_URL is https', async () => {
    const https = await createTestApp({}, { UPDRAFT_PUBLIC_URL: 'https://updraft.example' });
    try {
      const login = await https.anonymous.post('/api/v1/auth/login', {
        username: 'admin',
        password: adminPassword,
      });
      assert.equal(login.statusCode, 200);
      assert.match(String(login.headers['set-cookie']), /; Secure/);
    } finally {
      await https.close();
    }
  });
});

describe('security headers worked out once', () => {
  /** A response as Node makes it, with an X-Powered-By that helmet removes. */
  function response(): ServerResponse {
    const res = new ServerResponse(new IncomingMessage(new Socket()));
    res.setHeader('x-powered-by', 'something');
    return res;
  }

  it("are the headers helmet's own middleware sets on a response, for the defaults and a custom CSP", () => {
    const options: HelmetOptions[] = [
      {},
      {
        contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'self'"] } },
        frameguard: { action: 'deny' },
        referrerPolicy: { policy: 'no-referrer' },
        crossOriginResourcePolicy: false,
      },
    ];
    for (const option of options) {
      const byHelmet = response();
      helmet(option)(byHelmet.req, byHelmet, () => {});
      const replayed = response();
      for (const [name, value] of securityHeaderSteps(option)) {
        if (value === null) replayed.removeHeader(name);
        else replayed.setHeader(name, value);
      }
      assert.deepEqual(replayed.getHeaders(), byHelmet.getHeaders());
      assert.equal(replayed.getHeader('x-powered-by'), undefined);
    }
  });
});
