/**
 * At most `limit` uploads read at once (per replica): one more is turned away at once rather than
 * queued, because a queued upload still holds its connection and its bytes keep arriving.
 */
export class UploadSlots {
  private taken = 0;

  constructor(readonly limit: number) {}

  /** A slot to give back when the upload is read, or undefined when all are taken. */
  take(): (() => void) | undefined {
    if (this.taken >= this.limit) return undefined;
    this.taken += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.taken -= 1;
    };
  }
}
