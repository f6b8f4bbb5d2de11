// Firmware Update (Object 5, protocols.md §4) as the LwM2M server drives it on a registered
// client: reads on registration, observation of State (/5/0/3) and Update Result (/5/0/5), the
// offer put on the wire (pull: a Package URI write; push: a block-wise Package write), Update
// executed once the package is downloaded, and success when the client then reports the target
// version (/3/0/3). Canonical events go to the device service (result-codes.ts).
import {
  contentFormats,
  decodeResourceIntegers,
  decodeResourceValue,
  formatPackageFacts,
  formatPackageUri,
} from '@updraft/protocol';
import type { CanonicalEvent, Offer } from '../../modules/device-access/device-access.ts';
import type { CoapResult } from '../../transports/coap/coap-dialect.ts';
import { type Lwm2mContext, lwm2mModule, type UnderWay } from './context.ts';
import { hasDeferral, writeDeferral } from './firmware-deferral.ts';
import type { Registration } from './registry.ts';
import { eventOfResult, eventOfState, updateResultSuccess } from './result-codes.ts';
import { createStallCheck, defaultStallMs } from './stall-check.ts';

const changed = (result: CoapResult) => result.code === '2.04';
const content = (result: CoapResult) => result.code === '2.05';

/** Push blocks of 2^(4+6) = 1024 bytes; the client may ask for smaller ones (RFC 7959 §2.5). */
const pushBlockSzx = 6;

export function createFirmwareSession(ctx: Lwm2mContext, stallMs = defaultStallMs) {
  const has = (reg: Registration, objectId: number) => reg.objects.some((o) => o.objectId === objectId);

  async function read(reg: Registration, path: string, resourceId: number, type: 'string' | 'integer') {
    const result = await ctx.client().request(reg.peer, { method: 'GET', path, accept: contentFormats.text });
    if (!content(result)) return undefined;
    try {
      return decodeResourceValue(result.payload, result.contentFormat, resourceId, type);
    } catch (error) {
      ctx.log.warn({ endpoint: reg.endpoint, path, err: error }, 'LwM2M value not read');
      return undefined;
    }
  }

  /** /5/0/8, a multiple resource: asked in TLV, read in whatever format the client answers. */
  async function readProtocols(reg: Registration): Promise<number[] | undefined> {
    const result = await ctx
      .client()
      .request(reg.peer, { method: 'GET', path: '/5/0/8', accept: contentFormats.tlv })
      .catch(() => undefined);
    if (!result || !content(result)) return undefined;
    try {
      return decodeResourceIntegers(result.payload, result.contentFormat, 8);
    } catch (error) {
      ctx.log.warn({ endpoint: reg.endpoint, path: '/5/0/8', err: error }, 'LwM2M value not read');
      return undefined;
    }
  }

  async function readOptional(reg: Registration, path: string, resourceId: number) {
    return (await read(reg, path, resourceId, 'integer').catch(() => undefined)) as number | undefined;
  }

  async function report(reg: Registration, under: UnderWay, event: CanonicalEvent) {
    const { problem } = await ctx.access.report(reg.device, under.module, event, {
      upgradeId: under.upgradeId,
    });
    if (problem !== null)
      ctx.log.info({ endpoint: reg.endpoint, event: event.type, problem }, 'LwM2M report not applied');
    return problem;
  }

  /** Empty Package URI (§E.6 /5/0/1): the client goes back to Idle and drops the image. */
  async function reset(reg: Registration) {
    await ctx
      .client()
      .request(reg.peer, {
        method: 'PUT',
        path: '/5/0/1',
        payload: Buffer.alloc(0),
        contentFormat: contentFormats.text,
      })
      .catch((error: unknown) => ctx.log.warn({ endpoint: reg.endpoint, err: error }, 'LwM2M reset failed'));
  }

  async function onState(reg: Registration, state: number) {
    const under = ctx.underWay.get(reg.device.id);
    const event = eventOfState(state);
    if (!under || !event) return;
    under.since = ctx.clock.now();
    await report(reg, under, event);
    if (state === 2 && !under.executed) {
      // Update is executable in State 2 Downloaded only (§E.6 /5/0/2).
      under.executed = true;
      const executed = await ctx
        .client()
        .request(reg.peer, { method: 'POST', path: '/5/0/2' })
        .catch((error: unknown) => {
          ctx.log.warn({ endpoint: reg.endpoint, err: error }, 'LwM2M Update not answered');
          return undefined;
        });
      under.since = ctx.clock.now();
      // Not executed: the stall check executes it again (stall-check.ts).
      if (!executed || !changed(executed)) {
        if (executed) ctx.log.warn({ endpoint: reg.endpoint, code: executed.code }, 'LwM2M Update refused');
        under.executed = false;
      }
    }
  }

  async function onResult(reg: Registration, result: number) {
    const under = ctx.underWay.get(reg.device.id);
    if (!under) return;
    const event = eventOfResult(result);
    if (event) {
      ctx.underWay.delete(reg.device.id);
      await report(reg, under, event);
      await reset(reg);
    } else if (result === updateResultSuccess && under.executed) {
      await judgeVersion(reg, under, result);
    }
  }

  /**
   * The client runs the target after Update: its version completes the upgrade (or, in a plan
   * with a health window, starts the window), and Update Result 1 with it is the client's health
   * confirmation (docs/lwm2m.md, "Health after the install").
   */
  async function ranTarget(reg: Registration, under: UnderWay, version: string, result: number | undefined) {
    ctx.underWay.delete(reg.device.id);
    await ctx.access.recordVersion(reg.device, under.module, version);
    // About the module's active upgrade: without a window the version already ended it, and a
    // healthy report of an upgrade that succeeded is acknowledged.
    if (result === updateResultSuccess)
      await ctx.access.report(reg.device, under.module, { type: 'health_confirmed' });
    await reset(reg);
  }

  /** After Update: the version the client now reports decides (success when it is the target). */
  async function judgeVersion(reg: Registration, under: UnderWay, result?: number) {
    const version = (await read(reg, '/3/0/3', 3, 'string')) as string | undefined;
    if (version === undefined) return;
    if (version !== under.target) return;
    await ranTarget(reg, under, version, result);
  }

  function parseInteger(result: CoapResult, resourceId: number): number | undefined {
    if (!content(result)) return undefined;
    try {
      return decodeResourceValue(result.payload, result.contentFormat, resourceId, 'integer') as number;
    } catch {
      return undefined;
    }
  }

  async function observe(
    reg: Registration,
    path: string,
    resourceId: number,
    onValue: (value: number) => Promise<void>,
  ) {
    const observation = await ctx.client().observe(reg.peer, path, (notification) => {
      const value = parseInteger(notification, resourceId);
      if (value !== undefined) void ctx.serially(reg, () => onValue(value));
    });
    reg.observations.push(observation);
    return parseInteger(observation.first, resourceId);
  }

  /** The pull URI for the client: CoAP block-wise unless it pulls over HTTP(S) only (/5/0/8). */
  function packageUri(reg: Registration, offer: Offer): string {
    const protocols = reg.protocols;
    const coap = protocols === undefined || protocols.length === 0 || protocols.includes(0);
    const url =
      !coap && (protocols.includes(2) || protocols.includes(3))
        ? `${ctx.httpBase()}/device/v1/download/${offer.token}`
        : `${ctx.coapBase()}/fw/${offer.token}`;
    // The package's facts ride in the query (docs/lwm2m.md, "The Package URI").
    const file = offer.files[0];
    if (!file) return url;
    return formatPackageUri({
      url,
      version: offer.pkg.version,
      size: file.size,
      sha256: file.sha256,
      kind: offer.pkg.type === 'delta' ? 'delta' : 'full',
    });
  }

  /** Puts the offer on the client's Object 5; true when the client took it. */
  async function put(reg: Registration, offer: Offer, delivery: 'pull' | 'push'): Promise<boolean> {
    if (hasDeferral(reg)) await writeDeferral(ctx, reg, offer.spec);
    if (delivery === 'pull') {
      const written = await ctx.client().request(reg.peer, {
        method: 'PUT',
        path: '/5/0/1',
        payload: Buffer.from(packageUri(reg, offer)),
        contentFormat: contentFormats.text,
      });
      if (!changed(written))
        ctx.log.warn({ endpoint: reg.endpoint, code: written.code }, 'LwM2M Package URI refused');
      return changed(written);
    }
    const file = await ctx.access.openDownload(offer.token);
    if ('problem' in file) return false;
    const bytes = file.bytes ?? (await readAll(await ctx.access.openBlob(file.key)));
    const written = await ctx.client().request(reg.peer, {
      method: 'PUT',
      path: '/5/0/0',
      payload: bytes,
      contentFormat: contentFormats.opaque,
      block1Szx: pushBlockSzx,
      // The package's facts for a client that asked for them at Register (`pf`).
      ...(reg.packageFacts &&
        offer.files[0] && {
          query: formatPackageFacts({
            version: offer.pkg.version,
            size: offer.files[0].size,
            sha256: offer.files[0].sha256,
            kind: offer.pkg.type === 'delta' ? 'delta' : 'full',
          }),
        }),
    });
    if (!changed(written))
      ctx.log.warn({ endpoint: reg.endpoint, code: written.code }, 'LwM2M Package write refused');
    return changed(written);
  }

  /** Puts the upgrade's offer on the wire and notes when the client took it. */
  async function send(reg: Registration, under: UnderWay) {
    under.since = ctx.clock.now();
    const taken = await put(reg, under.offer, under.delivery).finally(() => {
      under.since = ctx.clock.now();
    });
    if (taken) under.sentAt = ctx.clock.now();
  }

  /** Puts an offer on the client's Object 5: now, or at its next Update in queue mode. */
  async function deliver(reg: Registration, module: string, offer: Offer) {
    // Push only when the client does push only (/5/0/9 = 1); pull otherwise (§E.6).
    const delivery = reg.deliveryMethod === 1 ? 'push' : 'pull';
    const under: UnderWay = {
      upgradeId: offer.upgradeId,
      module,
      target: offer.pkg.version,
      token: offer.token,
      delivery,
      executed: false,
      offer,
      sentAt: undefined,
      since: ctx.clock.now(),
      resent: 0,
    };
    ctx.underWay.set(reg.device.id, under);
    if (reg.queueMode) reg.held.push(() => send(reg, under));
    else await send(reg, under);
  }

  const stalls = createStallCheck(
    ctx,
    {
      readInteger: readOptional,
      onState,
      onResult,
      judgeVersion,
      resend: send,
    },
    stallMs,
  );

  return {
    deliver,
    reset,
    /** Checks the upgrades without news for a while (the dialect's sweep, every few seconds). */
    checkStalled: (now: number) => stalls.sweep(now),
    /** A client registered: reads, observations, then what waits for it (§E.6 pull sequence step 1). */
    async onRegistered(reg: Registration, options: { sendHeld: boolean }) {
      const version = (await read(reg, '/3/0/3', 3, 'string')) as string | undefined;
      const battery = has(reg, 3) ? await readOptional(reg, '/3/0/9', 9) : undefined;
      const signal = has(reg, 4) ? await readOptional(reg, '/4/0/2', 2) : undefined;
      let state: number | undefined;
      let result: number | undefined;
      if (has(reg, 5)) {
        reg.deliveryMethod = await readOptional(reg, '/5/0/9', 9);
        reg.protocols = await readProtocols(reg);
        state = await observe(reg, '/5/0/3', 3, (value) => onState(reg, value));
        result = await observe(reg, '/5/0/5', 5, (value) => onResult(reg, value));
      }
      if (version === undefined) return;
      const under = ctx.underWay.get(reg.device.id);
      if (under?.executed) {
        const failed = result === undefined ? null : eventOfResult(result);
        if (failed) {
          ctx.underWay.delete(reg.device.id);
          await report(reg, under, failed);
          await reset(reg);
        } else if (version === under.target) {
          await ranTarget(reg, under, version, result);
        }
        // Otherwise the client is still installing: its next registration tells.
        if (ctx.underWay.has(reg.device.id)) return;
      } else if (under && state === 2) {
        // Downloaded before the client went away: Update now.
        await onState(reg, 2);
        return;
      }
      const checked = await ctx.access.check(reg.device, {
        module: lwm2mModule,
        version,
        ...(signal !== undefined && { signal }),
        ...(battery !== undefined && { battery }),
      });
      if (checked.kind === 'offer') await deliver(reg, lwm2mModule, checked.offer);
      if (options.sendHeld) await sendHeld(reg);
    },
    /** A queue-mode client updated: it is reachable now, so what was held for it goes. */
    async onUpdated(reg: Registration) {
      // The client is reachable now: what it did meanwhile is read (a queue-mode client's
      // notifications may have been lost while it slept).
      const under = ctx.underWay.get(reg.device.id);
      const quiet = under !== undefined && ctx.clock.now() - under.since >= stallMs;
      if (under && (under.executed || (under.sentAt !== undefined && quiet))) await stalls.check(reg, under);
      await sendHeld(reg);
    },
    /** The upgrade is off: Cancel (/5/0/10, 1.1) or else an empty Package URI, before Update only. */
    async withdraw(reg: Registration, under: UnderWay) {
      if (under.executed) return;
      ctx.underWay.delete(reg.device.id);
      if (reg.lwm2mVersion !== '1.0') {
        const cancelled = await ctx
          .client()
          .request(reg.peer, { method: 'POST', path: '/5/0/10' })
          .catch(() => undefined);
        if (cancelled && changed(cancelled)) return;
      }
      await reset(reg);
    },
  };

  async function sendHeld(reg: Registration) {
    for (const send of reg.held.splice(0)) {
      await send().catch((error: unknown) =>
        ctx.log.warn({ endpoint: reg.endpoint, err: error }, 'LwM2M held operation failed'),
      );
    }
  }
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export type FirmwareSession = ReturnType<typeof createFirmwareSession>;
