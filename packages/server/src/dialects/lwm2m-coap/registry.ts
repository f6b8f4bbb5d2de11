// The registrations this instance holds (LwM2M Client Registration interface, §6.2): one per
// device, found by its location (`/rd/{id}`, answered to Register) or by the device. They live
// in memory: CoAP over UDP reaches a device through the instance it registered with
// (docs/lwm2m.md, "Scaling out").
import { randomBytes } from 'node:crypto';
import type { ObjectLink } from '@updraft/protocol';
import type { AccessDevice } from '../../modules/device-access/device-access.ts';
import type { CoapObservation, CoapPeer } from '../../transports/coap/coap-dialect.ts';

export interface Registration {
  /** The location path's id: random, so that only the registered client can Update or De-register. */
  id: string;
  device: AccessDevice;
  endpoint: string;
  peer: CoapPeer;
  lifetime: number;
  /** Epoch ms after which the registration is gone unless updated (lifetime, §6.2.1). */
  expiresAt: number;
  lwm2mVersion: string;
  binding: string;
  queueMode: boolean;
  /** Registered with Updraft's `pf`: a Package write carries the package's facts (Uri-Query). */
  packageFacts: boolean;
  objects: ObjectLink[];
  observations: CoapObservation[];
  /** /5/0/8 protocols and /5/0/9 delivery method, when the client answered them. */
  protocols: number[] | undefined;
  deliveryMethod: number | undefined;
  /** Operations held for a queue-mode client until it next updates (§6.5 Queue Mode). */
  held: (() => Promise<void>)[];
}

export function createRegistry() {
  const byId = new Map<string, Registration>();
  const byDevice = new Map<number, Registration>();
  const lastTimestamps = new Map<string, number>();

  function drop(reg: Registration): void {
    if (byId.get(reg.id) === reg) byId.delete(reg.id);
    if (byDevice.get(reg.device.id) === reg) byDevice.delete(reg.device.id);
    for (const observation of reg.observations.splice(0)) observation.cancel();
  }

  return {
    /** A new registration of the device; one it had before is dropped (§6.2.1: a Register replaces it). */
    add(
      fields: Omit<Registration, 'id' | 'observations' | 'protocols' | 'deliveryMethod' | 'held'>,
      timestamp?: number,
    ) {
      const previous = byDevice.get(fields.device.id);
      if (previous) drop(previous);
      const reg: Registration = {
        ...fields,
        id: randomBytes(12).toString('hex'),
        observations: [],
        protocols: undefined,
        deliveryMethod: undefined,
        held: [],
      };
      byId.set(reg.id, reg);
      byDevice.set(reg.device.id, reg);
      if (timestamp !== undefined) lastTimestamps.set(fields.endpoint, timestamp);
      return reg;
    },
    byId: (id: string) => byId.get(id),
    byDevice: (deviceId: number) => byDevice.get(deviceId),
    lastTimestamp: (endpoint: string) => lastTimestamps.get(endpoint),
    drop,
    /** Registrations whose lifetime ran out by `now`. */
    expired(now: number): Registration[] {
      return [...byId.values()].filter((reg) => reg.expiresAt <= now);
    },
    all: () => [...byId.values()],
    count: () => byId.size,
  };
}

export type Registry = ReturnType<typeof createRegistry>;
