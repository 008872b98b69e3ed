import type { Agent, Api, LiveMessage } from './api.js';

/** What every screen gets: the signed-in agent, the API, names from the directory, live updates. */
export interface Context {
  api: Api;
  agent: Agent;
  /** Display names of agents and teams by id (the id itself for one not in the directory). */
  agentName(id: string | null): string;
  teamName(id: string): string;
  teams: Array<{ id: string; name: string }>;
  /** Everyone in the directory with their teams, for handing a ticket to a colleague. */
  agents: Array<{ id: string; name: string; teamIds: string[]; active: boolean }>;
  /** Listens to the live updates until the returned function is called. */
  onLive(listener: (message: LiveMessage) => void): () => void;
  /** Shows a short message to everyone, screen readers included. */
  announce(text: string): void;
}

/** A screen renders into its container and returns how to stop (timers, listeners). */
export type Screen = (container: HTMLElement, context: Context, route: string[]) => () => void;
