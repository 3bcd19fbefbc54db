import { connect as connectNats } from '@nats-io/transport-node';
import { connect as connectAmqp } from 'amqplib';
import { NATS_URL, RABBITMQ_URL } from '../microservices/fixtures/broker-urls.js';

export type BrokerName = 'nats' | 'rabbitmq';

/** Whether each message broker of the microservices suites answers. */
export async function reachableBrokers(): Promise<Record<BrokerName, boolean>> {
  const [nats, rabbitmq] = await Promise.all([
    answers(async () => (await connectNats({ servers: [NATS_URL], timeout: 3_000, reconnect: false })).close()),
    answers(async () => (await connectAmqp(RABBITMQ_URL, { timeout: 3_000 })).close()),
  ]);
  return { nats, rabbitmq };
}

async function answers(check: () => Promise<unknown>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}
