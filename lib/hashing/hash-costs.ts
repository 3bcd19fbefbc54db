/** A kind of stored hash: its algorithm and the settings written before its salt (cost, iterations). */
const KIND = /^[a-z0-9_]+\$(?:\$2[aby]\$\d{2}\$|\d+\$)?/;

// Each new measurement moves the average a fifth of the way, so one slow moment does not decide.
const WEIGHT = 0.2;

interface Kind {
  /** A hash of this kind, to verify decoys against. */
  sample: string;
  averageMs: number;
}

/** What verifying each kind of stored hash has cost so far. */
export class HashCosts {
  private readonly kinds = new Map<string, Kind>();

  note(stored: string, elapsedMs: number): void {
    const kind = kindOf(stored);
    const known = this.kinds.get(kind);
    if (known) known.averageMs += WEIGHT * (elapsedMs - known.averageMs);
    else this.kinds.set(kind, { sample: stored, averageMs: elapsedMs });
  }

  knows(stored: string): boolean {
    return this.kinds.has(kindOf(stored));
  }

  /** A hash of the kind that has cost the most to verify, or `undefined` before any. */
  costliest(): string | undefined {
    let costliest: Kind | undefined;
    for (const kind of this.kinds.values()) if (!costliest || kind.averageMs > costliest.averageMs) costliest = kind;
    return costliest?.sample;
  }
}

function kindOf(stored: string): string {
  return KIND.exec(stored)?.[0] ?? '';
}
