// Idle and slow HTTP clients are let go (issue 12): a connection that sends nothing, headers
// that never end, a body that never comes, a keep-alive connection left idle.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../test-support/test-app.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

/** Opens a socket, writes `send`, and resolves with what came back once the server closed it. */
function heldSocket(port: number, send: string): Promise<{ closed: boolean; answer: string }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1', () => {
      if (send) socket.write(send);
    });
    let answer = '';
    socket.on('data', (d) => {
      answer += d;
    });
    socket.on('error', () => {});
    // Far past every timeout under test: a socket still open then was not closed by the server.
    const guard = setTimeout(() => {
      socket.destroy();
      resolve({ closed: false, answer });
    }, 20_000);
    socket.on('close', () => {
      clearTimeout(guard);
      resolve({ closed: true, answer });
    });
  });
}

describe('HTTP timeouts', { skip }, () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await createTestApp({
      httpIdleTimeoutSeconds: 3,
      httpHeadersTimeoutSeconds: 2,
      httpRequestTimeoutSeconds: 4,
      httpKeepAliveTimeoutSeconds: 1,
    });
    await t.app.http.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.http.server.address() as { port: number }).port;
  });
  after(() => t.close());

  it('closes a connection that sends nothing', async () => {
    assert.equal((await heldSocket(port, '')).closed, true);
  });

  it('closes a connection whose headers never end', async () => {
    const held = await heldSocket(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n');
    assert.equal(held.closed, true);
  });

  it('closes a connection whose announced body never comes', async () => {
    const held = await heldSocket(
      port,
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
    );
    assert.equal(held.closed, true);
    assert.doesNotMatch(held.answer, /^HTTP\/1\.1 2/);
  });

  it('closes a body that trickles in past the request timeout', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n',
    );
    // One byte a second keeps the socket from idling; the request deadline still ends it.
    const drip = setInterval(() => socket.write(' '), 1000);
    const closed = await new Promise<boolean>((resolve) => {
      const guard = setTimeout(() => resolve(false), 20_000);
      socket.on('close', () => {
        clearTimeout(guard);
        resolve(true);
      });
    });
    clearInterval(drip);
    socket.destroy();
    assert.equal(closed, true);
  });

  it('closes an idle keep-alive connection after its answer', async () => {
    const held = await heldSocket(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    assert.equal(held.closed, true);
    assert.match(held.answer, /^HTTP\/1\.1 200/);
  });
});
