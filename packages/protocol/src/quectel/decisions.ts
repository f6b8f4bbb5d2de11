// Updraft's decisions where protocols.md §3 says [unconfirmed] or is silent, in one place so that
// each can change when Quectel's real behaviour is known (docs/quectel.md, "Decisions", gives the
// reasons). Everything here is Updraft's, not Quectel's; ota-codes.ts holds what is confirmed.

export const quectelDecisions = {
  /**
   * The MQTT password (§3.2: `Ql_iotSecureGenMqttConnData`, algorithm not public). Updraft's
   * signed form is `qs1;{et};{sig}`: `et` the Unix second it expires, `sig` base64url (no
   * padding) of HMAC-SHA256 keyed with the device secret (UTF-8) over `{clientId};{et}`. The
   * plain device secret is accepted too.
   */
  password: {
    scheme: 'qs1',
    /** The server refuses a signed password that expires further ahead than this. */
    maxLifetimeSeconds: 366 * 86_400,
    /** How far ahead the SDK's passwords expire (a new one at every connect). */
    sdkLifetimeSeconds: 86_400,
  },
  /** The MQTT username: none, as the QuecThing SDK sends (an empty one, or the client id, is taken too). */
  username: 'none',
  /** Downlinks go to `q/1/d/{clientId}/ota` (the device subscribes to `q/1/d/{clientId}/+`). */
  downlinkTopicType: 'ota',
  /**
   * Updraft's own TTLV ids in OTA commands (a QuecThing device ignores ids it does not know):
   * 8000 and up, far from Quectel's OTA ids (1..30).
   */
  ids: {
    /** A gateway's command about a sub-device (§3.4): its product key and device key. */
    subProductKey: 8001,
    subDeviceKey: 8002,
    /** In a 0x0111 component: 0 full package, 1 delta (restored against the running image). */
    packageType: 8003,
    /** In 0x0113 and in each DOWN_INFO element: the file's name in its package. */
    fileName: 8004,
    /** In a 0x0114 status 5: the download's percentage, 0..100 (Quectel sends none). */
    downloadPercent: 8005,
    /** In an error answer: its code (400, 403, 404, 409, as docs/mqtt.md's replies). */
    errorCode: 8006,
    /** In an error answer: the packet id of the frame it answers, when that frame had one. */
    answeredPacketId: 8007,
  },
  /**
   * The error answer (§3.2 has none for OTA): a downlink of this command with 8006 the code, 14
   * MESSAGE the reason, 8007 the refused packet id, and 4 COMPONENT_NO (8001/8002 for a
   * sub-device) when known. A QuecThing device ignores the command.
   */
  errorCmd: 0x0f00,
  /**
   * MCU_VER (26), format not confirmed: `{componentNo}:{version}` entries joined with `;`. An
   * entry without `:` is the version of the product's only MCU module.
   */
  mcuVersions: { entrySeparator: ';', nameSeparator: ':' },
  /**
   * SOURCE_VER (5): a delta's source version; for a full package its specified versions joined
   * with `;` when it has some, else left out.
   */
  sourceVersionSeparator: ';',
  /** BATTERY_LIMIT and MIN_SIGNAL when the plan sets none: 0 % and the lowest signal plans take. */
  noBatteryLimit: 0,
  noSignalLimit: -140,
  /**
   * HANDLE_TYPE (27) is never sent: the device confirms or refuses every plan (Updraft sends the
   * download only after a confirm). The SDK confirms by itself when a plan carries it, as QuecThing does.
   */
  sendHandleType: false,
  /** DOWN_CRC (15): CRC-16/USB (ThingsPanel's default X-CRC16, reflected 0x8005) of the file, four hex digits. */
  crc16: 'ibm',
  /** DOWN_SIGN (19) value that asks for the sha256. */
  sha256Sign: 'sha256',
} as const;
