import type { HttpException } from '@nestjs/common';

/** What a microservice client receives when the guard refuses its message (the error of `send()`). */
export interface KeysmithRpcError {
  status: 'error';
  /** The HTTP status the same refusal has over HTTP: 401, 403, 429 or 503. */
  statusCode: number;
  /** The same message as over HTTP (`errorMessages`). */
  message: string;
}

/**
 * Turns an HTTP exception of the guard into the `RpcException` that Nest's RPC exception filter
 * sends to the client (any other error reaches it as "Internal server error").
 * `@nestjs/microservices` is loaded here, on the first refusal of a message, so an application
 * without microservices never needs it.
 */
export async function toRpcException(exception: HttpException): Promise<Error> {
  const { RpcException } = await import('@nestjs/microservices');
  const error: KeysmithRpcError = { status: 'error', statusCode: exception.getStatus(), message: exception.message };
  return new RpcException(error);
}
