// A tiny reference encoder of Quectel's frame and TTLV, written from protocols.md §3.2 alone, for
// the C codec to be checked against, independent of the TypeScript codec of packages/protocol.

export type TtlvNode =
  | { id: number; kind: 'bool'; value: boolean }
  | { id: number; kind: 'number'; negative: boolean; magnitude: bigint; exponent: number }
  | { id: number; kind: 'bytes'; value: Uint8Array }
  | { id: number; kind: 'struct'; children: TtlvNode[] };

const head = (id: number, type: number): number[] => [(id << 3) >> 8, ((id << 3) | type) & 0xff];

export function encodeTtlv(nodes: TtlvNode[]): Uint8Array {
  const out: number[] = [];
  const put = (node: TtlvNode): void => {
    if (node.kind === 'bool') out.push(...head(node.id, node.value ? 1 : 0));
    else if (node.kind === 'number') {
      const bytes: number[] = [];
      let m = node.magnitude;
      do {
        bytes.unshift(Number(m & 0xffn));
        m >>= 8n;
      } while (m > 0n);
      out.push(
        ...head(node.id, 2),
        (node.negative ? 0x80 : 0) | (node.exponent << 3) | (bytes.length - 1),
        ...bytes,
      );
    } else if (node.kind === 'bytes') {
      out.push(...head(node.id, 3), node.value.length >> 8, node.value.length & 0xff, ...node.value);
    } else {
      out.push(...head(node.id, 4), node.children.length >> 8, node.children.length & 0xff);
      for (const child of node.children) put(child);
    }
  };
  for (const node of nodes) put(node);
  return new Uint8Array(out);
}

/** The C tool's dump format: depth/id/type[/value]; per node in document order. */
export function dumpTtlv(nodes: TtlvNode[], depth = 0): string {
  return nodes
    .map((n) => {
      if (n.kind === 'bool') return `${depth}/${n.id}/${n.value ? 1 : 0};`;
      if (n.kind === 'number')
        return `${depth}/${n.id}/2/${n.negative ? '-' : ''}${n.magnitude}/${n.exponent};`;
      if (n.kind === 'bytes') return `${depth}/${n.id}/3/${Buffer.from(n.value).toString('hex')};`;
      return `${depth}/${n.id}/4/${n.children.length};${dumpTtlv(n.children, depth + 1)}`;
    })
    .join('');
}

/** The C tool's build spec for the same nodes. */
export function specTtlv(nodes: TtlvNode[]): string {
  return nodes
    .map((n) => {
      if (n.kind === 'bool') return `${n.value ? 'T' : 'F'}:${n.id}`;
      if (n.kind === 'number') return `N:${n.id}:${n.negative ? 1 : 0}:${n.magnitude}:${n.exponent}`;
      if (n.kind === 'bytes') return `S:${n.id}:${Buffer.from(n.value).toString('hex')}`;
      return [`{:${n.id}`, specTtlv(n.children), '}'].filter((s) => s !== '').join(',');
    })
    .join(',');
}

export function encodeFrame(packetId: number, cmd: number, payload: Uint8Array): Uint8Array {
  let sum = (packetId >> 8) + (packetId & 0xff) + (cmd >> 8) + (cmd & 0xff);
  for (const b of payload) sum += b;
  const len = payload.length + 5;
  const raw = [
    0xaa,
    0xaa,
    len >> 8,
    len & 0xff,
    sum & 0xff,
    packetId >> 8,
    packetId & 0xff,
    cmd >> 8,
    cmd & 0xff,
    ...payload,
  ];
  const out: number[] = [];
  raw.forEach((b, i) => {
    out.push(b);
    const next = raw[i + 1];
    if (i > 0 && b === 0xaa && (next === undefined || next === 0xaa || next === 0x55)) out.push(0x55);
  });
  return new Uint8Array(out);
}

export function randomTree(random: () => number, depth = 0): TtlvNode[] {
  const count = random() % (depth === 0 ? 6 : 4);
  return Array.from({ length: count }, (): TtlvNode => {
    const id = random() % 4 === 0 ? 0 : random() % 0x2000;
    const kind = random() % (depth < 3 ? 4 : 3);
    if (kind === 0) return { id, kind: 'bool', value: random() % 2 === 0 };
    if (kind === 1) {
      const magnitude = (BigInt(random()) << BigInt(random() % 33)) >> BigInt(random() % 40);
      return { id, kind: 'number', negative: random() % 2 === 0, magnitude, exponent: random() % 16 };
    }
    if (kind === 2) {
      const value = new Uint8Array(random() % 40).map(() => (random() % 3 === 0 ? 0xaa : random() & 0xff));
      return { id, kind: 'bytes', value };
    }
    return { id, kind: 'struct', children: randomTree(random, depth + 1) };
  });
}
