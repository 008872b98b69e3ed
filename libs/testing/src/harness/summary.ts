import { chaosLine } from './ledger';
import type { PipelineResult } from './pipeline-run';

const MB = 1024 * 1024;

/** What a run measured, as lines for a terminal; the chaos line last. */
export function summaryLines(result: PipelineResult): string[] {
  const r = result.reconciliation;
  const throughput = r.accepted / result.endToEndSeconds;
  const lines = [
    `run ${result.run}: accepted by entry point ${JSON.stringify(result.acceptedBy)}; ${result.customerRetries} sends repeated`,
    `sending took ${result.sendSeconds.toFixed(1)} s; the last message reached an agent after ${result.endToEndSeconds.toFixed(1)} s (${Math.round(throughput)} messages/s end to end)`,
    `customer → agent's screen: p50 ${result.toAgent.p50} ms, p99 ${result.toAgent.p99} ms (${result.toAgent.count} messages)`,
    ...Object.entries(result.toAgentBy).map(
      ([entryPoint, p]) => `  through ${entryPoint}: p50 ${p.p50} ms, p99 ${p.p99} ms (${p.count})`,
    ),
    ...Object.entries(result.acceptBy).map(
      ([entryPoint, p]) => `  accepted by ${entryPoint}: p50 ${p.p50} ms, p99 ${p.p99} ms`,
    ),
    `agent's reply → customer's app (Telegram, VK): p50 ${result.toCustomer.p50} ms, p99 ${result.toCustomer.p99} ms (${result.toCustomer.count} replies)`,
    ...Object.entries(result.resources).map(
      ([name, used]) =>
        `${name}: ${used.cpuSeconds.toFixed(1)} CPU s, at most ${Math.round(used.maxRssBytes / MB)} MB RSS`,
    ),
    `the harness's own event loop ran late by up to ${Math.round(result.harnessLoopDelayP99Ms)} ms (p99)`,
    ...result.disruptions.map((disruption) => `disrupted: ${disruption}`),
  ];
  if (r.lostMarkers.length) lines.push(`lost: ${r.lostMarkers.slice(0, 20).join(' ')}`);
  if (r.duplicatedMarkers.length)
    lines.push(`duplicated: ${r.duplicatedMarkers.slice(0, 20).join(' ')}`);
  if (r.lostReplyMarkers.length) {
    lines.push(`replies lost: ${r.lostReplyMarkers.slice(0, 20).join(' ')}`);
    lines.push(
      `replies lost by channel and delivery status: ${JSON.stringify(result.lostRepliesBy)}`,
    );
  }
  if (r.repliesDuplicated)
    lines.push(
      `replies duplicated by channel: ${JSON.stringify(result.duplicatedRepliesBy)}; stored twice by tickets: ${result.repliesStoredTwice}`,
    );
  lines.push(
    result.overCapacity.length
      ? `over capacity: ${result.overCapacity.length} assignments, e.g. ${result.overCapacity[0]}`
      : 'no agent over capacity in the decision log',
  );
  lines.push(chaosLine(r));
  return lines;
}

/**
 * Channels whose platform takes no idempotency key: a reply sent just before its adapter was
 * killed, and sent again by the restarted one, reaches the customer twice. VK's random_id and
 * the web form's status page (keyed by the outbound id) turn the repeat into a no-op.
 */
export const CHANNELS_WITHOUT_IDEMPOTENCY = ['email', 'telegram'];

/** The chaos run's targets a result misses; none when it passed. */
export function chaosProblems(result: PipelineResult): string[] {
  const r = result.reconciliation;
  const doubledWhereAvoidable = Object.entries(result.duplicatedRepliesBy).filter(
    ([channel]) => !CHANNELS_WITHOUT_IDEMPOTENCY.includes(channel),
  );
  return [
    ...(r.lost ? [`${r.lost} customer messages lost`] : []),
    ...(r.duplicated ? [`${r.duplicated} customer messages stored twice`] : []),
    ...(r.repliesLost ? [`${r.repliesLost} replies lost`] : []),
    ...doubledWhereAvoidable.map(([channel, count]) => `${count} replies doubled on ${channel}`),
    ...(result.overCapacity.length
      ? [`${result.overCapacity.length} assignments over an agent's capacity`]
      : []),
  ];
}
