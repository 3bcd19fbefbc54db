import { SetMetadata } from '@nestjs/common';
import { COST_METADATA } from '../keysmith.internal-constants.js';

/**
 * What a request to this route takes from the token's quota: a whole number, `0` for a route
 * that costs nothing. Without it a request costs 1. The handler's cost wins over its class's.
 */
export function KeysmithCost(cost: number): MethodDecorator & ClassDecorator {
  if (typeof cost !== 'number' || !Number.isInteger(cost) || cost < 0) {
    throw new TypeError(`@KeysmithCost(cost) needs a whole number of at least 0; got ${String(cost)}.`);
  }
  return SetMetadata(COST_METADATA, cost);
}
