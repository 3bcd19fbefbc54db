import { Redis } from 'ioredis';

export const REDIS_URL = process.env.KEYSMITH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function isRedisReachable(): Promise<boolean> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
