// A listener that cannot bind stops the start with one line naming the setting, the port and the
// fix (issue 12): nothing else is started, and the first admin is not created yet.
import { UpdraftError } from '@updraft/core';

export interface ListenerSettings {
  /** The variable that sets the port, e.g. UPDRAFT_MQTT_PORT. */
  portSetting: string;
  /** The variable that sets the address, e.g. UPDRAFT_MQTT_HOST. */
  hostSetting: string;
  host: string;
  port: number;
  /** What else the operator may do when the port is taken (joining the broker already there). */
  alternative?: string;
}

/** Turns a bind failure into LISTEN_FAILED with its one-line explanation; other errors pass. */
export function explainListenError(error: unknown, listener: ListenerSettings): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const { portSetting, hostSetting, host, port } = listener;
  const where = `port ${port} on ${host}`;
  const details = { setting: portSetting, host, port, cause: code };
  switch (code) {
    case 'EADDRINUSE':
      return new UpdraftError(
        'LISTEN_FAILED',
        `${portSetting}: ${where} is already in use; set ${portSetting} to a free port` +
          `${listener.alternative ? `, or ${listener.alternative}` : ''}`,
        details,
      );
    case 'EACCES':
      return new UpdraftError(
        'LISTEN_FAILED',
        `${portSetting}: ${where} needs privileges this process lacks; set ${portSetting} to a port above 1023`,
        details,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UpdraftError(
        'LISTEN_FAILED',
        `${hostSetting}: ${host} is not an address of this machine; set ${hostSetting} to one (0.0.0.0 for all)`,
        { ...details, setting: hostSetting },
      );
    default:
      return error;
  }
}
