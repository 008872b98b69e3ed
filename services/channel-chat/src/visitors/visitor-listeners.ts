import { Injectable } from '@nestjs/common';

type Listener = () => void;

/**
 * Who is waiting for a visitor's conversation to change on this replica: their open WebSockets
 * and long-poll requests. Whoever stores a message for a visitor calls `changed`; each listener
 * then reads what is new from the database itself, so a missed or doubled signal loses or
 * doubles nothing.
 *
 * One replica: the consumer storing an agent's reply runs where the sockets are. Several replicas
 * need `changed` to reach the others (docs/adr/0019-live-chat.md).
 */
@Injectable()
export class VisitorListeners {
  private readonly listeners = new Map<string, Set<Listener>>();

  /** Returns the call that stops listening. */
  listen(visitorId: string, listener: Listener): () => void {
    let set = this.listeners.get(visitorId);
    if (!set) this.listeners.set(visitorId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(visitorId) === set) this.listeners.delete(visitorId);
    };
  }

  changed(visitorId: string): void {
    for (const listener of this.listeners.get(visitorId) ?? []) listener();
  }
}
