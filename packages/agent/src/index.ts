// @updraft/agent: the Updraft agent for Linux devices and gateways (docs/agent.md). The command is
// `updraft-agent` (main.ts); this entry is for programs that embed it.

export { type Agent, type AgentOptions, createAgent } from './agent.ts';
export {
  type AgentConfig,
  AgentConfigError,
  loadConfig,
  type ModuleConfig,
  parseConfig,
  readyMadeHooks,
  type SubDeviceConfig,
  type VersionSource,
} from './config.ts';
export { hookExit } from './hooks.ts';
