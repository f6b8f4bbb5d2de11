// `npm run pack:agent [-- OUT_DIR]`: the agent as a Debian package, built with dpkg-deb alone.
// The packages are built to JavaScript for Node 18 and later (scripts/internal/build-packages.ts),
// installed with their registry dependencies (mqtt, coap) under /usr/lib/updraft-agent, and started by
// /usr/bin/updraft-agent on the system's Node: the package depends on `nodejs (>= 18)` instead of
// carrying a Node of its own (docs/adr/0008-device-agent.md says why).
//
//   /usr/bin/updraft-agent                      a shell wrapper: finds Node, checks its version
//   /usr/lib/updraft-agent/node_modules/…       @updraft/{agent,sdk,delta,protocol}, mqtt and coap
//   /lib/systemd/system/updraft-agent.service   the unit (starts once /etc/updraft/agent.json exists)
//   /usr/share/doc/updraft-agent/               agent.md, agent.example.json, copyright
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildPackage, checkAgainstNode18, DEVICE_NODE_RANGE, root } from './internal/build-packages.ts';
import { npmPack, sdkDeviceEntries } from './pack-sdk.ts';

const VERSION = '0.1.0';
const packages = ['protocol', 'delta', 'sdk', 'agent'] as const;

const wrapper = `#!/bin/sh
# updraft-agent: runs the Updraft agent on the system's Node.js (${DEVICE_NODE_RANGE.replace('>=', '')} or later).
# UPDRAFT_AGENT_NODE names another node binary (e.g. in a systemd drop-in).
here=$(dirname "$(readlink -f "$0")")
main="$here/../lib/updraft-agent/node_modules/@updraft/agent/dist/main.js"
node="\${UPDRAFT_AGENT_NODE:-$(command -v node || command -v nodejs)}"
if [ -z "$node" ]; then
  echo "updraft-agent: Node.js 18 or later is needed (apt install nodejs)" >&2
  exit 69
fi
major=$("$node" -p 'process.versions.node.split(".")[0]' 2>/dev/null)
if [ -z "$major" ] || [ "$major" -lt 18 ]; then
  echo "updraft-agent: $node is Node.js \${major:-?}; 18 or later is needed" >&2
  exit 69
fi
exec "$node" "$main" "$@"
`;

const control = (installedKiB: number) => `Package: updraft-agent
Version: ${VERSION}
Architecture: all
Maintainer: Updraft <updraft@localhost>
Depends: nodejs (>= 18)
Installed-Size: ${installedKiB}
Section: admin
Priority: optional
Homepage: https://github.com/updraft/updraft
Description: Updraft OTA agent for Linux devices and gateways
 Takes firmware upgrades from an Updraft server over HTTP or MQTT, verifies
 them, and installs them through hooks: RAUC and SWUpdate A/B images, a plain
 file with a service restart, or a flashing command per sub-device. It
 reboots into the new slot, checks its health, and commits or rolls back.
`;

const postinst = `#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload || true
  # Running already (an upgrade of the package): restart it on the new code.
  systemctl try-restart updraft-agent.service || true
fi
`;
const prerm = `#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl stop updraft-agent.service || true
  systemctl disable updraft-agent.service || true
fi
`;
const postrm = `#!/bin/sh
set -e
if [ "$1" = purge ]; then
  rm -rf /var/lib/updraft-agent
fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload || true
fi
`;

function sizeOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + sizeOf(join(path, entry)), 0);
}

/**
 * Leaves out what Node never loads on a device: type declarations and source maps, the type-only
 * packages mqtt depends on (@types/*, undici-types), and mqtt's browser bundles (dist/).
 */
function prune(modules: string): void {
  for (const gone of ['@types', 'undici-types', join('mqtt', 'dist')]) {
    rmSync(join(modules, gone), { recursive: true, force: true });
  }
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(d\.[cm]?ts|map)$/.test(entry.name)) rmSync(path);
    }
  };
  walk(modules);
}

/** Builds the .deb into `out`; returns its path. */
export function packAgent(out: string): string {
  mkdirSync(out, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'updraft-pack-agent-'));
  try {
    checkAgainstNode18([...sdkDeviceEntries, 'packages/agent/src/main.ts'], staging);
    const tarballs = join(staging, 'tarballs');
    mkdirSync(tarballs);
    const packed = packages.map((name) =>
      npmPack(
        buildPackage(name, staging, name === 'agent' ? ['hooks', 'systemd', 'agent.example.json'] : []),
        tarballs,
      ),
    );
    const deb = join(staging, 'root');
    const lib = join(deb, 'usr', 'lib', 'updraft-agent');
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(lib, 'package.json'), '{"name":"updraft-agent-root","private":true}\n');
    execFileSync(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--omit=dev',
        '--no-package-lock',
        '--install-links',
        ...packed,
      ],
      { cwd: lib, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    rmSync(join(lib, 'package.json'));
    prune(join(lib, 'node_modules'));
    const agent = join(lib, 'node_modules', '@updraft', 'agent');
    for (const hook of readdirSync(join(agent, 'hooks'))) chmodSync(join(agent, 'hooks', hook), 0o755);

    mkdirSync(join(deb, 'usr', 'bin'), { recursive: true });
    writeFileSync(join(deb, 'usr', 'bin', 'updraft-agent'), wrapper, { mode: 0o755 });
    mkdirSync(join(deb, 'lib', 'systemd', 'system'), { recursive: true });
    cpSync(
      join(agent, 'systemd', 'updraft-agent.service'),
      join(deb, 'lib', 'systemd', 'system', 'updraft-agent.service'),
    );
    const doc = join(deb, 'usr', 'share', 'doc', 'updraft-agent');
    mkdirSync(doc, { recursive: true });
    cpSync(join(root, 'docs', 'agent.md'), join(doc, 'agent.md'));
    cpSync(join(agent, 'agent.example.json'), join(doc, 'agent.example.json'));
    writeFileSync(
      join(doc, 'copyright'),
      'Updraft agent. License: Apache-2.0 (/usr/share/common-licenses/Apache-2.0).\n' +
        'Bundled npm packages keep their own licenses, in their folders under /usr/lib/updraft-agent.\n',
    );

    const meta = join(deb, 'DEBIAN');
    mkdirSync(meta);
    writeFileSync(join(meta, 'control'), control(Math.ceil(sizeOf(join(deb, 'usr')) / 1024)));
    for (const [name, script] of Object.entries({ postinst, prerm, postrm })) {
      writeFileSync(join(meta, name), script, { mode: 0o755 });
    }
    const target = join(resolve(out), `updraft-agent_${VERSION}_all.deb`);
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', deb, target], { stdio: 'ignore' });
    return target;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const deb = packAgent(process.argv[2] ?? join(root, 'dist'));
  console.log(`${deb}  ${(statSync(deb).size / 1000).toFixed(1)} kB`);
  console.log(
    execFileSync('dpkg-deb', ['--field', deb, 'Installed-Size', 'Depends'], { encoding: 'utf8' }).trim(),
  );
}
