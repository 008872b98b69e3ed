import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * One address in front of a service's replicas, as a load balancer: every new connection goes to
 * the current target; `moveTo` sends new ones elsewhere and cuts the open ones (a replica
 * drained), so clients reconnect to the other replica.
 */
export class Balancer {
  private target = '';
  private readonly open = new Set<Socket>();
  private readonly server = createServer((client) => {
    const { hostname, port } = new URL(this.target);
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      this.open.add(socket);
      socket.on('close', () => this.open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });

  /** Listens on a free port of 127.0.0.1; answers its URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  moveTo(url: string): void {
    this.target = url;
    for (const socket of this.open) socket.destroy();
  }

  async stop(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
