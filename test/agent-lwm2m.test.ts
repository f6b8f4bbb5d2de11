// The agent (packages/agent) over LwM2M: a child process with `transport: 'lwm2m'` against
// `updraft serve`, registering on its CoAP port, pulling the Package URI block-wise and installing
// through the script hook once the server executes Update; the server records Success and 2.0.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { skipReason } from '../packages/server/src/test-support/test-database.ts';
import { setUpAgentSuite } from './support/agent-flows.ts';

const skip = (await skipReason()) ?? false;

describe('updraft-agent over LwM2M (CoAP, script hook)', { skip }, () => {
  const suite = setUpAgentSuite('updraft-agent-lwm2m');

  it('registers, pulls over CoAP, installs on Update: Success and 2.0 on the server', async () => {
    const { firmware, device, plan, f, product } = await suite.flows.setup('lwm2m-ok');
    await suite.u.api('PATCH', `/products/${product.id}`, { protocols: ['lwm2m'] });
    const coapUrl = /LwM2M\s+(coap:\/\/\S+)/
      .exec(suite.u.server.output())![1]!
      .replace('localhost', '127.0.0.1');
    const app = join(f.dir, 'app.bin');
    const versionFile = join(f.dir, 'app.version');
    writeFileSync(app, 'the 1.0 application');
    writeFileSync(versionFile, '1.0\n');
    f.configure({
      transport: 'lwm2m',
      coapUrl,
      modules: {
        default: {
          hook: 'script',
          version: { file: versionFile },
          env: { TARGET: app, SERVICE: 'app.service', VERSION_FILE: versionFile },
        },
      },
    });
    const agent = f.start();
    await agent.line(/upgraded to 2\.0/);
    await suite.flows.until(plan.id, device.id, (x) => x['status'] === 'success');
    assert.deepEqual(readFileSync(app), firmware);
    assert.equal(readFileSync(versionFile, 'utf8'), '2.0\n');
    assert.equal(await suite.flows.reportedVersion(device.id), '2.0');
  });
});
