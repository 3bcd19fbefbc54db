import type { ExecutionContext, HttpException } from '@nestjs/common';

/** What a gateway client receives in its `exception` event when the guard refuses a message. */
export interface KeysmithWsError {
  status: 'error';
  /** The HTTP status the same refusal has over HTTP: 401, 403, 429 or 503. */
  statusCode: number;
  /** The same message as over HTTP (`errorMessages`). */
  message: string;
  /** The refused message, as Nest's own `BaseWsExceptionFilter` reports it. */
  cause: { pattern: unknown; data: unknown };
}

/**
 * Turns an HTTP exception of the guard into the `WsException` that Nest's WebSocket exception
 * filter sends to the client (any other error reaches the client as "Internal server error").
 * `@nestjs/websockets` is loaded here, on the first refusal in a WebSocket context, so an
 * application without gateways never needs it.
 */
export async function toWsException(exception: HttpException, context: ExecutionContext): Promise<Error> {
  const { WsException } = await import('@nestjs/websockets');
  const ws = context.switchToWs();
  const error: KeysmithWsError = {
    status: 'error',
    statusCode: exception.getStatus(),
    message: exception.message,
    cause: { pattern: typeof ws.getPattern === 'function' ? ws.getPattern() : undefined, data: ws.getData() },
  };
  return new WsException(error);
}
