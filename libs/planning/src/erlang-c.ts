/**
 * Erlang C: a queue (M/M/N) that customers wait in until one of N agents is free. Traffic A is the
 * offered load in Erlangs (arrivals per hour × handling hours per arrival). The probability of
 * waiting is computed from the Erlang B recursion, B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)),
 * never from A^N / N!, which overflows a double past N ≈ 170 and loses precision long before.
 */

/** The probability that a customer is blocked with N servers and no queue (Erlang B). */
export function erlangB(agents: number, traffic: number): number {
  checkAgents(agents);
  checkTraffic(traffic);
  let blocking = 1;
  for (let k = 1; k <= agents; k += 1) blocking = (traffic * blocking) / (k + traffic * blocking);
  return blocking;
}

/**
 * The probability that a customer has to wait (Erlang C). 1 when the agents cannot keep up
 * (N ≤ A): the queue then grows without end.
 */
export function probabilityOfWaiting(agents: number, traffic: number): number {
  if (agents <= traffic) return 1;
  const blocking = erlangB(agents, traffic);
  return (agents * blocking) / (agents - traffic * (1 - blocking));
}

/** The share of customers answered within `targetSeconds`. 0 when the agents cannot keep up. */
export function serviceLevel(
  agents: number,
  traffic: number,
  handlingSeconds: number,
  targetSeconds: number,
): number {
  checkPositive('handlingSeconds', handlingSeconds);
  if (!(targetSeconds >= 0))
    throw new RangeError(`targetSeconds must be ≥ 0, got ${targetSeconds}`);
  if (agents <= traffic) return 0;
  const waiting = probabilityOfWaiting(agents, traffic);
  return 1 - waiting * Math.exp((-(agents - traffic) * targetSeconds) / handlingSeconds);
}

/** The mean wait before an answer, over all customers (those answered at once count as 0). */
export function averageSpeedOfAnswer(
  agents: number,
  traffic: number,
  handlingSeconds: number,
): number {
  checkPositive('handlingSeconds', handlingSeconds);
  if (agents <= traffic) return Number.POSITIVE_INFINITY;
  return (probabilityOfWaiting(agents, traffic) * handlingSeconds) / (agents - traffic);
}

export interface StaffingTarget {
  /** Mean arrivals in the hour. */
  arrivalsPerHour: number;
  /** Mean time an agent spends on one arrival. */
  handlingSeconds: number;
  /** The answer time the service level counts against (an SLA's first-response target). */
  targetSeconds: number;
  /** Share to answer within the target, 0 < x < 1 (0.8 for "80/20"). */
  serviceLevel: number;
  /** Highest share of time agents may be busy, 0 < x ≤ 1; 1 (the default): no cap. */
  maxOccupancy?: number;
}

export interface Staffing {
  /** Traffic in Erlangs: agents busy on average. */
  traffic: number;
  /** Agents who must be answering to meet the target (before shrinkage). */
  agents: number;
  /** The service level those agents reach. */
  serviceLevel: number;
  /** Their mean speed of answer in seconds. */
  averageSpeedOfAnswerSeconds: number;
  /** Share of their time spent handling, traffic / agents. */
  occupancy: number;
}

/**
 * The fewest agents that answer `serviceLevel` of the arrivals within the target and stay at or
 * under the occupancy cap. No arrivals need no agents.
 */
export function agentsForServiceLevel(target: StaffingTarget): Staffing {
  const { arrivalsPerHour, handlingSeconds, targetSeconds, maxOccupancy = 1 } = target;
  if (!(arrivalsPerHour >= 0 && Number.isFinite(arrivalsPerHour))) {
    throw new RangeError(`arrivalsPerHour must be a finite number ≥ 0, got ${arrivalsPerHour}`);
  }
  checkPositive('handlingSeconds', handlingSeconds);
  checkShare('serviceLevel', target.serviceLevel, false);
  checkShare('maxOccupancy', maxOccupancy, true);
  const traffic = (arrivalsPerHour * handlingSeconds) / 3600;
  if (traffic === 0) {
    return { traffic, agents: 0, serviceLevel: 1, averageSpeedOfAnswerSeconds: 0, occupancy: 0 };
  }
  // Fewer than A agents never catch up, and the cap sets its own floor; the service level only
  // rises with each agent added, and tends to 1, so the search ends.
  let agents = Math.max(Math.floor(traffic) + 1, Math.ceil(traffic / maxOccupancy));
  while (serviceLevel(agents, traffic, handlingSeconds, targetSeconds) < target.serviceLevel) {
    agents += 1;
  }
  return {
    traffic,
    agents,
    serviceLevel: serviceLevel(agents, traffic, handlingSeconds, targetSeconds),
    averageSpeedOfAnswerSeconds: averageSpeedOfAnswer(agents, traffic, handlingSeconds),
    occupancy: traffic / agents,
  };
}

/**
 * Agents to schedule so that `agents` are answering when a share of paid time goes to breaks,
 * training and absence (shrinkage, 0 ≤ x < 1).
 */
export function withShrinkage(agents: number, shrinkage: number): number {
  if (!(shrinkage >= 0 && shrinkage < 1)) {
    throw new RangeError(`shrinkage must be at least 0 and below 1, got ${shrinkage}`);
  }
  // Rounded first so that 14 / 0.7 is 20, not 20.000000000000004 and hence 21.
  return Math.ceil(Number((agents / (1 - shrinkage)).toFixed(9)));
}

function checkAgents(agents: number) {
  if (!(Number.isInteger(agents) && agents >= 0)) {
    throw new RangeError(`agents must be a whole number ≥ 0, got ${agents}`);
  }
}

function checkTraffic(traffic: number) {
  if (!(traffic >= 0 && Number.isFinite(traffic))) {
    throw new RangeError(`traffic must be a finite number ≥ 0, got ${traffic}`);
  }
}

function checkPositive(name: string, value: number) {
  if (!(value > 0 && Number.isFinite(value))) {
    throw new RangeError(`${name} must be a finite number > 0, got ${value}`);
  }
}

function checkShare(name: string, value: number, oneAllowed: boolean) {
  if (!(value > 0 && (oneAllowed ? value <= 1 : value < 1))) {
    throw new RangeError(
      `${name} must be above 0 and ${oneAllowed ? 'at most' : 'below'} 1, got ${value}`,
    );
  }
}
