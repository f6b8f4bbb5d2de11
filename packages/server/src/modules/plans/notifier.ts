// How the engine tells transports which devices to contact. The engine knows no transport:
// MQTT, LwM2M and the rest implement this port and are handed to the engine by app.ts.

export interface UpgradeNotice {
  deviceId: number;
  upgradeId: number;
  planId: number;
}

export interface Notifier {
  /** Push the upgrade offer to these devices (MQTT publish, LwM2M write). Called after commit. */
  notify(batch: readonly UpgradeNotice[]): Promise<void>;
  /** Tell these devices, which were offered an upgrade, that it is off (cancel, deadline, timeout). */
  withdraw(batch: readonly UpgradeNotice[]): Promise<void>;
}

export const noopNotifier: Notifier = {
  notify: async () => {},
  withdraw: async () => {},
};
