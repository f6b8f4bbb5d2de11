// The LwM2M client's side of the Registration interface (OMA-TS-LightweightM2M-V1_1 §6.2):
// Register with Updraft's signature (`ts`, `sig`; docs/lwm2m.md "Authentication") and the
// client's objects in link format, an Update at half the lifetime (a location the server no
// longer knows registers again), and De-register.
import { formatObjectLinks, lwm2mRegistrationSignature } from '@updraft/protocol';
import type { Agent, IncomingMessage } from 'coap';
import { SdkError } from './errors.ts';

export interface RegistrationOptions {
  /** coap://host:port of the server. */
  server: URL;
  endpoint: string;
  secret: string;
  /** Seconds (`lt`). */
  lifetime: number;
  agent(): Agent | undefined;
  /** A new registration: the server observes again. */
  onRegister(): void;
}

const linkFormat = 40;

export function createRegistration(options: RegistrationOptions) {
  const { server, endpoint, secret, lifetime } = options;
  let location: string | undefined;
  let keepAlive: NodeJS.Timeout | undefined;
  let lastTs = 0;

  function request(method: 'POST' | 'DELETE', path: string, query: string[], payload?: Buffer) {
    return new Promise<IncomingMessage>((resolve, reject) => {
      const agent = options.agent();
      if (!agent) return reject(new SdkError('NETWORK', 'not connected'));
      const req = agent.request({
        hostname: server.hostname.replace(/^\[|\]$/g, ''),
        port: Number(server.port || 5683),
        method,
        pathname: path,
        ...(query.length > 0 && { query: query.join('&') }),
      });
      if (payload) req.setOption('Content-Format', linkFormat);
      req.on('response', resolve);
      req.on('error', (error: Error) =>
        reject(new SdkError('NETWORK', `${method} ${path}: ${error.message}`)),
      );
      req.on('timeout', () => reject(new SdkError('NETWORK', `${method} ${path}: no answer`)));
      req.end(payload);
    });
  }

  /** Register (§6.2.1); the server then reads, observes and offers. */
  async function register(): Promise<void> {
    // `ts` rises from one Register to the next (docs/lwm2m.md, "Authentication").
    const ts = Math.max(Math.floor(Date.now() / 1000), lastTs + 1);
    lastTs = ts;
    const query = [
      `ep=${endpoint}`,
      `lt=${lifetime}`,
      'lwm2m=1.1',
      'b=U',
      `ts=${ts}`,
      `sig=${lwm2mRegistrationSignature(secret, endpoint, ts)}`,
      // The package's facts with a Package write (push), docs/lwm2m.md.
      'pf',
    ];
    // Object 5 is 1.1 (Cancel, Severity, Maximum Defer Period): said on its object link (§6.2.1).
    const links = formatObjectLinks([
      ...[1, 3, 4].map((objectId) => ({ objectId, instanceId: 0 })),
      { objectId: 5, instanceId: undefined, version: '1.1' },
      { objectId: 5, instanceId: 0 },
    ]);
    options.onRegister();
    const res = await request('POST', '/rd', query, Buffer.from(links));
    if (res.code === '4.03')
      throw new SdkError('AUTH_FAILED', `LwM2M Register refused (4.03) for ${endpoint}`);
    if (res.code !== '2.01') {
      throw new SdkError(
        res.code.startsWith('4.') ? 'REFUSED' : 'SERVER_ERROR',
        `LwM2M Register: ${res.code}`,
      );
    }
    const paths = ((res as unknown as { options?: { name: string; value: unknown }[] }).options ?? [])
      .filter((o) => o.name === 'Location-Path')
      .map((o) => String(o.value));
    location = `/${paths.join('/')}`;
  }

  /** Update (§6.2.2); a 4.04 registers again. */
  async function update() {
    if (!location) return;
    const res = await request('POST', location, []).catch(() => undefined);
    if (res?.code === '4.04') await register().catch(() => {});
  }

  return {
    register,
    /** Updates at half the lifetime from now on. */
    keep() {
      clearInterval(keepAlive);
      keepAlive = setInterval(() => void update(), lifetime * 500);
      keepAlive.unref();
    },
    /** De-register (§6.2.3), not waited for past a second: the server may be gone. */
    async deregister() {
      clearInterval(keepAlive);
      if (!location) return;
      const at = location;
      location = undefined;
      const gone = request('DELETE', at, []).catch(() => undefined);
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    },
  };
}
