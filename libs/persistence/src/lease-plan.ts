import { createHash } from 'node:crypto';

/** One resource's lease as a replica sees it in a round: who holds it, if anyone still does. */
export interface LeaseState {
  resource: string;
  /** Null when free: never taken, released, or its holder's time ran out. */
  liveHolder: string | null;
}

export interface LeasePlan {
  /** Free resources to try to take (another replica may win one first). */
  take: string[];
  /** Resources this replica holds beyond its fair share, to hand over. */
  release: string[];
}

/**
 * The most resources one replica should hold: rounded up, so that the shares of the live replicas
 * always cover every resource.
 */
export function fairShare(resources: number, liveReplicas: number): number {
  return Math.ceil(resources / Math.max(1, liveReplicas));
}

/**
 * What `holder` does this round: takes free resources up to its fair share, releases what it holds
 * beyond it. Replicas prefer resources by rendezvous hashing, so replicas starting together
 * reach for different resources rather than racing for the same ones.
 */
export function planLeases(holder: string, leases: LeaseState[], liveReplicas: number): LeasePlan {
  const share = fairShare(leases.length, liveReplicas);
  const byPreference = (a: LeaseState, b: LeaseState) =>
    preference(holder, b.resource) - preference(holder, a.resource);
  const held = leases.filter((lease) => lease.liveHolder === holder).sort(byPreference);
  const free = leases.filter((lease) => lease.liveHolder === null).sort(byPreference);
  return {
    take: free.slice(0, Math.max(0, share - held.length)).map((lease) => lease.resource),
    // The least preferred go: the same ones each round, whoever asks.
    release: held.slice(share).map((lease) => lease.resource),
  };
}

/** How much `holder` wants `resource`: stable, and spread evenly over holders. */
function preference(holder: string, resource: string): number {
  return createHash('sha256').update(`${holder}\u0000${resource}`).digest().readUInt32BE(0);
}
