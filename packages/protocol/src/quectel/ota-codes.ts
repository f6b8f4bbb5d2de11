// The QuecThing OTA vocabulary as protocols.md §3.2 confirms it from the SDK sources
// (`QIOT_DPCMD_*`, `QIOT_DPID_OTA_*`, `QIot_otaStatus_e`). What Updraft adds or had to decide
// where the sources are silent is in decisions.ts, not here.

/** Command codes (`QIOT_DPCMD_*`) of the OTA exchange. */
export const quectelCmd = {
  /** ↓ the plan: one component's fields, or TASK_INFO for several. */
  otaNotify: 0x0111,
  /** ↑ declared; this SDK generation confirms through OTA_EVENT status 2 instead. */
  otaConfirm: 0x0112,
  /** ↓ the firmware information after a confirm: URL, size, hashes (or DOWN_INFO per file). */
  otaFirmwareInfo: 0x0113,
  /** ↑ a status report (`quectelOtaStatus`). */
  otaEvent: 0x0114,
  /** ↑ the device asks for its plan, stating its module and MCU versions. */
  otaRequest: 0x0115,
} as const;

/** TTLV ids of the OTA commands (`QIOT_DPID_OTA_*`). */
export const quectelOtaId = {
  downUrl: 1,
  downSize: 2,
  /** 32 hex digits. */
  downMd5: 3,
  /** ≤ 32 characters. */
  componentNo: 4,
  sourceVersion: 5,
  /** ≤ 64 characters. */
  targetVersion: 6,
  /** 0 module firmware, 1 MCU firmware. */
  componentType: 7,
  batteryLimit: 8,
  /** Disk space the upgrade needs. */
  useSpace: 9,
  /** Signed. */
  minSignal: 10,
  /** Declared, unused. */
  submit: 11,
  /** Declared, unused. */
  delayTime: 12,
  status: 13,
  /** Status text, e.g. "SUBMITOTA". */
  message: 14,
  /** Hex string. */
  downCrc: 15,
  /** Sent when the confirm asked for it (DOWN_SIGN). */
  downSha256: 16,
  /** "sha256" in a confirm: the firmware information should carry the sha256. */
  downSign: 19,
  /** Multi-file packages: an array of struct {1 url, 3 md5, 2 size, 30 index}, ≤ 5. */
  downInfo: 20,
  moduleVersion: 25,
  mcuVersion: 26,
  /** Upgrade control type: when present for a module component, the QuecThing SDK confirms by itself. */
  handleType: 27,
  /** Multi-component plans: an array of structs of the 0x0111 fields, ≤ 20. */
  taskInfo: 28,
  /** 1-based file index inside DOWN_INFO. */
  downInfoIndex: 30,
} as const;

/** OTA statuses (TTLV 13 of 0x0114, `QIot_otaStatus_e`); 7 and 10 are unused. */
export const quectelOtaStatus = {
  noPlan: 0,
  planReceived: 1,
  confirmed: 2,
  refused: 3,
  downloadStart: 4,
  downloading: 5,
  downloadError: 6,
  downloaded: 8,
  updating: 9,
  updateSuccess: 11,
  updateError: 12,
} as const;

export type QuectelOtaStatus = (typeof quectelOtaStatus)[keyof typeof quectelOtaStatus];

/** The status texts the QuecThing SDK sends beside the codes (TTLV 14). */
export const quectelStatusText: Readonly<Record<QuectelOtaStatus, string>> = {
  0: 'NOPLAN',
  1: 'REVICEPLAN',
  2: 'SUBMITOTA',
  3: 'REFUSEDOTA',
  4: 'DOWNLOADSTART',
  5: 'DOWNLOADING',
  6: 'DOWNLOADERROR',
  8: 'DOWNLOADSUCCESS',
  9: 'UPDATING',
  11: 'UPDATESUCCESS',
  12: 'UPDATEERROR',
};

export function isQuectelOtaStatus(code: number): code is QuectelOtaStatus {
  return Object.hasOwn(quectelStatusText, code);
}

/** Component types (TTLV 7). */
export const quectelComponentType = { module: 0, mcu: 1 } as const;

/** Limits of protocols.md §3.1 and §3.2. */
export const quectelLimits = {
  componentNoLength: 32,
  targetVersionLength: 64,
  /** Components in one TASK_INFO. */
  components: 20,
  /** Files in one DOWN_INFO. */
  files: 5,
  /** A device counts its consecutive download errors and reports UPDATEERROR after this many. */
  downloadErrors: 5,
  /** After a confirm the firmware information must arrive within this time, or the device gives up. */
  firmwareInfoSeconds: 30,
} as const;
