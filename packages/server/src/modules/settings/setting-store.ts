// Server-wide settings an operator changes at run time (a key and a text value each), e.g.
// whether plans need verified firmware.

export interface SettingStore {
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
}
