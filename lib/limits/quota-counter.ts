import type { QuotaRefill } from './quota.js';

/** Where a quota stands: the calls left and the start of the current refill period. */
export interface QuotaState {
  remaining: number;
  /** Milliseconds since the epoch; periods of `refill.intervalSeconds` follow each other from it. */
  refilledAt: number;
}

/** What taking a request's cost from a quota gave. */
export interface QuotaTake extends QuotaState {
  taken: boolean;
}

/**
 * The state after the refills due at `now`: each whole interval since `refilledAt` sets
 * `remaining` back to `amount` (what was left is not carried over).
 */
export function refilled(state: QuotaState, refill: QuotaRefill | null, now: number): QuotaState {
  if (!refill) return state;
  const intervalMs = refill.intervalSeconds * 1_000;
  const periods = Math.floor((now - state.refilledAt) / intervalMs);
  return periods > 0 ? { remaining: refill.amount, refilledAt: state.refilledAt + periods * intervalMs } : state;
}

/**
 * Takes `cost` from the quota kept in the hash KEYS[1] (fields `remaining` and `refilledAt`),
 * first refilled as `refilled` does, in Redis's clock. A key that is not there yet, or older than
 * the stored state in ARGV (the quota was set again since), starts from that state. The quota
 * never goes below zero: a request that costs more than is left takes nothing. Returns
 * { taken (1/0), remaining, refilledAt }.
 */
export const TAKE_SCRIPT = `
local cost = tonumber(ARGV[1])
local remaining = tonumber(ARGV[2])
local refilledAt = tonumber(ARGV[3])
local kept = redis.call('HMGET', KEYS[1], 'remaining', 'refilledAt')
if kept[1] and kept[2] and tonumber(kept[2]) >= refilledAt then
  remaining = tonumber(kept[1])
  refilledAt = tonumber(kept[2])
end
local amount = tonumber(ARGV[4])
local intervalMs = tonumber(ARGV[5])
if intervalMs > 0 then
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  local periods = math.floor((now - refilledAt) / intervalMs)
  if periods > 0 then
    remaining = amount
    refilledAt = refilledAt + periods * intervalMs
  end
end
local taken = 0
if remaining >= cost then
  remaining = remaining - cost
  taken = 1
end
redis.call('HSET', KEYS[1], 'remaining', remaining, 'refilledAt', refilledAt)
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return {taken, remaining, refilledAt}`;
