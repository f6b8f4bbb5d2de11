// A whole Updraft app on a fresh test database in a process of its own, for measuring the
// server's memory apart from the client's. Forked with IPC: it sends {port, authorization,
// productId} once it listens; on 'mark' it starts watching its RSS from now, on 'peak' it answers
// {baseline, peak} in bytes since the mark; on 'close' it shuts down and exits.
import { createTestApp } from './test-app.ts';

const send = (message: unknown) => process.send?.(message);

const t = await createTestApp(JSON.parse(process.env['UPDRAFT_CHILD_SETTINGS'] ?? '{}'));
await t.app.http.listen({ port: 0, host: '127.0.0.1' });
const key = await t.app.services.accounts.createApiKey(null, { name: 'memory', role: 'operator' });
const productId = (await t.admin.post('/api/v1/products', { name: 'Memory' })).json().id;
const address = t.app.http.server.address();

let baseline = 0;
let peak = 0;
let sampler: NodeJS.Timeout | undefined;

process.on('message', async (message: { cmd: string }) => {
  if (message.cmd === 'mark') {
    clearInterval(sampler);
    globalThis.gc?.();
    baseline = process.memoryUsage().rss;
    peak = baseline;
    sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    send({ cmd: 'marked', baseline });
  } else if (message.cmd === 'peak') {
    peak = Math.max(peak, process.memoryUsage().rss);
    send({ cmd: 'peak', baseline, peak });
  } else if (message.cmd === 'close') {
    clearInterval(sampler);
    await t.close();
    process.exit(0);
  }
});

send({
  cmd: 'ready',
  port: typeof address === 'object' && address ? address.port : 0,
  authorization: `Bearer ${key.secret}`,
  productId,
});
