/** The part of the `ws` client (a dependency of @nestjs/platform-ws) that tests and the harness use. */
declare module 'ws' {
  import { EventEmitter } from 'node:events';

  export interface ClientOptions {
    /** Whether a ping is answered with a pong by itself (true unless told otherwise). */
    autoPong?: boolean;
  }

  export class WebSocket extends EventEmitter {
    static readonly OPEN: 1;
    constructor(address: string, protocols?: string | string[], options?: ClientOptions);
    constructor(address: string, options?: ClientOptions);
    readonly readyState: number;
    send(data: string): void;
    close(code?: number, reason?: string): void;
  }
}
