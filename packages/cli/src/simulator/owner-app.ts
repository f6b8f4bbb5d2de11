// The device owner's app as the simulator plays it (docs/enduser-api.md): with an end-user token
// for the devices whose behaviour is `appoint` or `auto-upgrade`, it appoints a window for a
// manual plan's upgrade, or turns the device's auto-upgrade switch on.
import { UpdraftError } from '@updraft/core';

export interface OwnerApp {
  /** The upgrade of `deviceId` waiting for the owner's decision, if any. */
  waitingUpgrade(deviceId: number): Promise<number | undefined>;
  appoint(upgradeId: number, from: number, until: number): Promise<void>;
  setAutoUpgrade(deviceId: number, enabled: boolean): Promise<void>;
}

export function createOwnerApp(server: string, token: string): OwnerApp {
  const base = `${server.replace(/\/$/, '')}/enduserapi/v1`;
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (error) {
      // A server away or restarting: the simulated device asks again at its next poll.
      throw new UpdraftError('INTERNAL', `cannot reach ${base}: ${(error as Error).message}`, {
        retryable: true,
      });
    }
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      throw new UpdraftError(
        'INTERNAL',
        `${method} ${path} answered ${response.status}: ${String(answer['message'])}`,
        { retryable: response.status >= 500 },
      );
    }
    return answer as T;
  }

  return {
    async waitingUpgrade(deviceId) {
      const { items } = await call<{ items: { upgradeId: number; waiting: boolean }[] }>(
        'GET',
        `/upgrades?deviceId=${deviceId}`,
      );
      return items.find((u) => u.waiting)?.upgradeId;
    },
    async appoint(upgradeId, from, until) {
      await call('POST', `/upgrades/${upgradeId}/appoint`, {
        from: new Date(from).toISOString(),
        until: new Date(until).toISOString(),
      });
    },
    async setAutoUpgrade(deviceId, enabled) {
      await call('PUT', `/devices/${deviceId}/auto-upgrade`, { enabled });
    },
  };
}
