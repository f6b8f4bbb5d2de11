// The load balancer in front of several instances (docs/scale-out.md's nginx, reduced to what
// the crash campaign needs): each TCP connection goes to the next instance that accepts it, so a
// download link stays good while the instance that offered it is down for good.
import { connect, createServer, type Socket } from 'node:net';

export interface Balancer {
  url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (an ephemeral port) and spreads connections over `ports` round robin. */
export async function startBalancer(ports: readonly number[]): Promise<Balancer> {
  let next = 0;
  const open = new Set<Socket>();
  const upstream = (tries: number): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const port = ports[next++ % ports.length]!;
      const socket = connect(port, '127.0.0.1');
      const refused = (error: Error) => {
        socket.destroy();
        if (tries <= 1) reject(error);
        else resolve(upstream(tries - 1));
      };
      socket.once('error', refused);
      // Later errors (the instance killed mid-transfer) belong to the piping below.
      socket.once('connect', () => {
        socket.off('error', refused);
        socket.on('error', () => socket.destroy());
        resolve(socket);
      });
    });
  const server = createServer(async (client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    try {
      const target = await upstream(ports.length);
      open.add(target);
      target.once('close', () => {
        open.delete(target);
        client.destroy();
      });
      client.once('close', () => target.destroy());
      if (target.destroyed) client.destroy();
      client.pipe(target).pipe(client);
      client.resume();
    } catch {
      client.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      // Not waiting for server.close's callback: a connection still opening would hold it up.
      server.close();
      for (const socket of open) socket.destroy();
    },
  };
}
