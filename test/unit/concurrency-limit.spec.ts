import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../../lib/hashing/concurrency-limit.js';

/** A task that starts when the limit lets it and ends when the test says so. */
class HeldTask {
  started = false;
  private finish!: (value: string) => void;
  private fail!: (error: Error) => void;
  readonly done = new Promise<string>((resolve, reject) => {
    this.finish = resolve;
    this.fail = reject;
  });

  constructor(
    readonly name: string,
    private readonly starts: string[] = [],
  ) {}

  readonly run = (): Promise<string> => {
    this.started = true;
    this.starts.push(this.name);
    return this.done;
  };

  resolve(): void {
    this.finish(this.name);
  }

  reject(error: Error): void {
    this.fail(error);
  }
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('never runs more than its limit at once, and starts the next task as one ends', async () => {
    const limit = new ConcurrencyLimit(2);
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((name) => new HeldTask(name));
    const results = tasks.map((task) => limit.run(task.run));
    await settle();
    expect(tasks.map((task) => task.started)).toEqual([true, true, false, false, false]);

    tasks[1].resolve();
    await settle();
    expect(tasks.map((task) => task.started)).toEqual([true, true, true, false, false]);

    tasks[0].resolve();
    tasks[2].resolve();
    await settle();
    expect(tasks.map((task) => task.started)).toEqual([true, true, true, true, true]);

    tasks[3].resolve();
    tasks[4].resolve();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('starts waiting tasks in the order they came', async () => {
    const limit = new ConcurrencyLimit(1);
    const starts: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) => new HeldTask(name, starts));
    const results = tasks.map((task) => limit.run(task.run));
    for (const task of tasks) {
      await settle();
      task.resolve();
    }
    await Promise.all(results);
    expect(starts).toEqual(['a', 'b', 'c', 'd']);
  });

  it('lets no task that arrives as a slot frees jump ahead of one that was waiting', async () => {
    const limit = new ConcurrencyLimit(1);
    const starts: string[] = [];
    const [first, waiting, late] = ['first', 'waiting', 'late'].map((name) => new HeldTask(name, starts)) as [HeldTask, HeldTask, HeldTask];
    const ran = limit.run(first.run);
    const queued = limit.run(waiting.run);
    // Runs right after `first` ends and its slot is given up, before the waiting task has resumed.
    const arrivingLate = first.done.then(() => limit.run(late.run));
    await settle();

    first.resolve();
    await settle();
    expect(starts).toEqual(['first', 'waiting']);

    waiting.resolve();
    late.resolve();
    await Promise.all([ran, queued, arrivingLate]);
    expect(starts).toEqual(['first', 'waiting', 'late']);
  });

  it('passes a rejection on and frees the slot', async () => {
    const limit = new ConcurrencyLimit(1);
    const failing = new HeldTask('failing');
    const next = new HeldTask('next');
    const failed = limit.run(failing.run);
    const after = limit.run(next.run);
    const error = new Error('hash failed');

    failing.reject(error);
    await expect(failed).rejects.toBe(error);
    await settle();
    expect(next.started).toBe(true);
    next.resolve();
    expect(await after).toBe('next');
  });

  it('turns a task that throws instead of returning a promise into a rejection, and frees the slot', async () => {
    const limit = new ConcurrencyLimit(1);
    const error = new Error('thrown at once');
    const next = new HeldTask('next');
    const thrown = limit.run(() => {
      throw error;
    });
    const after = limit.run(next.run);

    await expect(thrown).rejects.toBe(error);
    await settle();
    expect(next.started).toBe(true);
    next.resolve();
    expect(await after).toBe('next');
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses the limit %j', (value) => {
    expect(() => new ConcurrencyLimit(value)).toThrow(RangeError);
  });
});
