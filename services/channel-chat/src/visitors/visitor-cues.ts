import { Injectable } from '@nestjs/common';

/** What the widget shows between messages, pushed as it happens and never stored as a message. */
export type VisitorCue =
  { type: 'typing'; author: string; until: string } | { type: 'read'; agentRead: number };

type CueListener = (cue: VisitorCue) => void;

/**
 * The visitor's open sockets and long polls on this replica that wait for cues: an agent typing,
 * an agent having read. Unlike messages a cue is its own content, so it goes to the listeners as
 * it is; a cue lost with a dropped connection is made good by the next, or (read marks) by what
 * the socket is told on reconnecting.
 */
@Injectable()
export class VisitorCues {
  private readonly listeners = new Map<string, Set<CueListener>>();

  /** Returns the call that stops listening. */
  listen(visitorId: string, listener: CueListener): () => void {
    let set = this.listeners.get(visitorId);
    if (!set) this.listeners.set(visitorId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(visitorId) === set) this.listeners.delete(visitorId);
    };
  }

  tell(visitorId: string, cue: VisitorCue): void {
    for (const listener of this.listeners.get(visitorId) ?? []) listener(cue);
  }
}
