// What the agent's end-to-end tests share: a product with one device on 1.0, package 2.0 and a
// running plan made through the API of `updraft serve`, an agent folder for the device, hooks of
// the test's own, and waits on what the server says.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { type AgentFixture, agentFixture } from './agent-child.ts';
import {
  image,
  type RegisteredDevice,
  startUpgradeFlows,
  type UpgradeFlows,
  waitFor,
} from './upgrade-flows.ts';

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read field by field in assertions
type Json = any;

export interface AgentPlan {
  product: Json;
  firmware: Buffer;
  device: RegisteredDevice;
  plan: Json;
  f: AgentFixture;
}

export function createAgentFlows(u: UpgradeFlows, dir: string) {
  const fixtures: AgentFixture[] = [];
  return {
    /**
     * A product `name` with device `<name>-1` on 1.0, package 2.0 (`size` bytes as app.bin, then
     * the `more` files) and a running plan; its agent folder.
     */
    async setup(
      name: string,
      size = 64 * 1024,
      more: readonly { name: string; content: Uint8Array }[] = [],
      /** More fields of the plan, e.g. `{ healthWindowSeconds: 600 }`. */
      planFields: Record<string, unknown> = {},
    ): Promise<AgentPlan> {
      const product = await u.product(name);
      const firmware = image(size, name.length);
      const pkg = await u.upload(product.id, '2.0', firmware, {}, more);
      const device = await u.register(product, `${name}-1`);
      const plan = await u.plan({ name, productId: product.id, firmwarePackageId: pkg.id, ...planFields });
      const f = agentFixture(join(dir, name), device, u.server.base, u.mqttUrl);
      fixtures.push(f);
      return { product, firmware, device, plan, f };
    },

    /** Waits (30 s at most) until the device's upgrade in the plan passes `test`. */
    until: (planId: number, deviceId: number, test: (upgrade: Json) => boolean) =>
      waitFor(
        `upgrade of device ${deviceId} in plan ${planId}`,
        async () => {
          const upgrade = await u.upgradeOf(planId, deviceId);
          return upgrade && test(upgrade) ? upgrade : undefined;
        },
        30_000,
      ),

    /** The reason of a failed upgrade, or of the last failure of one that is retried. */
    reasonOf: (upgrade: Json): string | undefined =>
      upgrade['failureReason'] ?? upgrade['lastFailureReason'] ?? undefined,

    /** The version of `module` the server last heard from the device. */
    async reportedVersion(deviceId: number, module = 'default'): Promise<string | undefined> {
      const detail = await u.api('GET', `/devices/${deviceId}`);
      return detail.versions.find((v: { module: string }) => v.module === module)?.version;
    },

    /** A hook of the test's own: a shell script in the agent's folder. */
    hook(f: AgentFixture, name: string, body: string): string {
      const path = join(f.dir, name);
      writeFileSync(path, `#!/bin/sh\n${body}\n`);
      chmodSync(path, 0o755);
      return path;
    },

    async close() {
      for (const f of fixtures) await f.close();
    },
  };
}

export type AgentFlows = ReturnType<typeof createAgentFlows>;

/**
 * For a describe() of agent tests: `updraft serve` before them and a folder for their agents,
 * both gone after them. The fields are set once the suite's before() ran.
 */
export function setUpAgentSuite(prefix: string): { dir: string; u: UpgradeFlows; flows: AgentFlows } {
  const suite = {
    dir: mkdtempSync(join(tmpdir(), `${prefix}-`)),
    u: undefined as unknown as UpgradeFlows,
    flows: undefined as unknown as AgentFlows,
  };
  before(async () => {
    suite.u = await startUpgradeFlows();
    suite.flows = createAgentFlows(suite.u, suite.dir);
  });
  after(async () => {
    await suite.flows?.close();
    await suite.u?.close();
    rmSync(suite.dir, { recursive: true, force: true });
  });
  return suite;
}
