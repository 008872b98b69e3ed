/** The part of the `ws` client (a dependency of @nestjs/platform-ws) that tests and the harness use. */
declare module 'ws' {
  import { EventEmitter } from 'node:events';

  export class WebSocket extends EventEmitter {
    constructor(address: string, protocols?: string | string[]);
    readonly readyState: number;
    send(data: string): void;
    close(code?: number, reason?: string): void;
  }
}
