import type { TestProject } from 'vitest/node';
import { DATABASE_NAMES, isReachable, type DatabaseName } from './databases.js';
import { reachableBrokers, type BrokerName } from './brokers.js';
import { isRedisReachable, REDIS_URL } from './redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databases: DatabaseName[];
    /** Whether Redis answers, for the suites of cross-instance cache invalidation. */
    redis: boolean;
    /** Whether each message broker answers, for the microservices suites. */
    brokers: Record<BrokerName, boolean>;
  }
}

/**
 * Chooses the databases of this run, and whether Redis is there for the suites that need it: `KEYSMITH_TEST_DB` (comma-separated names) or all of them.
 * A server that does not answer is left out with a notice, except on CI (`CI=true`), where every
 * database must run.
 */
export default async function setup(project: TestProject): Promise<void> {
  const wanted = (process.env.KEYSMITH_TEST_DB?.split(',').map((name) => name.trim()) ?? [...DATABASE_NAMES]) as DatabaseName[];
  const unknown = wanted.filter((name) => !DATABASE_NAMES.includes(name));
  if (unknown.length > 0) throw new Error(`KEYSMITH_TEST_DB names unknown databases: ${unknown.join(', ')}`);

  const databases: DatabaseName[] = [];
  for (const name of wanted) {
    if (await isReachable(name)) databases.push(name);
    else if (process.env.CI === 'true') throw new Error(`Database "${name}" does not answer, and CI runs every database.`);
    else console.warn(`[keysmith tests] ${name} does not answer: its suites are left out of this run.`);
  }
  console.log(`[keysmith tests] databases: ${databases.join(', ')}`);
  project.provide('databases', databases);

  const redis = await isRedisReachable();
  if (!redis && process.env.CI === 'true') throw new Error(`Redis (${REDIS_URL}) does not answer, and CI runs every suite.`);
  if (!redis) console.warn(`[keysmith tests] Redis (${REDIS_URL}) does not answer: the cross-instance suites are left out.`);
  project.provide('redis', redis);

  const brokers = await reachableBrokers();
  for (const [name, up] of Object.entries(brokers)) {
    if (up) continue;
    if (process.env.CI === 'true') throw new Error(`${name} does not answer, and CI runs every suite.`);
    console.warn(`[keysmith tests] ${name} does not answer: its microservices suite is left out.`);
  }
  project.provide('brokers', brokers);
}
