// Who a Quectel OTA message is about: the sender, or the sub-device a gateway names with
// Updraft's ids 8001 and 8002 (docs/quectel.md, "Sub-devices").
import type { QuectelSubDevice } from '@updraft/protocol';
import type { AccessDevice, DeviceAccess } from '../../../modules/device-access/device-access.ts';
import type { Dropped } from '../context.ts';

export async function subjectOf(
  access: Pick<DeviceAccess, 'deviceByKey' | 'actingFor'>,
  sender: AccessDevice,
  sub: QuectelSubDevice | undefined,
): Promise<AccessDevice | Dropped> {
  if (!sub) return sender;
  const device = await access.deviceByKey(sub.productKey, sub.deviceKey);
  const found = device && (await access.actingFor(sender, device.id));
  return (
    found ?? { code: 403, reason: `${sub.productKey}/${sub.deviceKey} is not this gateway's sub-device` }
  );
}

/** The module a report without COMPONENT_NO is about: the one component under way in the device's plans. */
export async function moduleUnderWay(
  access: Pick<DeviceAccess, 'devicePlans'>,
  device: AccessDevice,
): Promise<string | undefined> {
  const modules = new Set(
    (await access.devicePlans(device)).map((plan) => plan.components[plan.current]?.module),
  );
  modules.delete(undefined);
  return modules.size === 1 ? [...modules][0] : undefined;
}

/** The target of the component under way for `module`, if a plan of the device has one. */
export async function targetOf(
  access: Pick<DeviceAccess, 'devicePlans'>,
  device: AccessDevice,
  module: string,
): Promise<string | undefined> {
  for (const plan of await access.devicePlans(device)) {
    const component = plan.components[plan.current];
    if (component?.module === module) return component.targetVersion;
  }
  return undefined;
}
