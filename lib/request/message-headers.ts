import { at, callMethod } from './property.js';

/** Header values as `KeysmithGuard` reads them: by lowercase name. */
export type Headers = Record<string, string | string[] | undefined>;

/**
 * The headers of a microservice message, on the transports whose messages carry them: NATS
 * (`NatsContext.getHeaders()`, NATS `MsgHdrs`) and RabbitMQ (`RmqContext`, the AMQP message's
 * `properties.headers`). `undefined` for any other context. Read by shape, so that
 * `@nestjs/microservices` is never imported.
 */
export function messageHeadersOf(context: unknown): Headers | undefined {
  const nats = callMethod(context, 'getHeaders');
  const names = callMethod(nats, 'keys');
  if (Array.isArray(names)) return lowercased(names.map((name) => [String(name), callMethod(nats, 'get', name)]));
  const amqp = at(callMethod(context, 'getMessage'), 'properties', 'headers');
  if (amqp && typeof amqp === 'object') return lowercased(Object.entries(amqp));
  return undefined;
}

/** The NATS subject or the RabbitMQ pattern of a message, which its audit rows record as their path. */
export function messagePatternOf(context: unknown): string | null {
  const pattern = callMethod(context, 'getSubject') ?? callMethod(context, 'getPattern');
  return typeof pattern === 'string' ? pattern : null;
}

function lowercased(entries: Array<[string, unknown]>): Headers {
  const headers: Headers = {};
  for (const [name, value] of entries) {
    if (typeof value === 'string' || Array.isArray(value)) headers[name.toLowerCase()] = value as string | string[];
  }
  return headers;
}
