/** What passport gives a strategy for the one request it authenticates. */
interface PassportActions {
  success(user: unknown, info?: unknown): void;
  fail(challenge: unknown, status: number): void;
  error(error: unknown): void;
}

/** Where the strategy reads a request's token, and the challenge of a request without one. */
export interface TokenReader {
  readToken(request: unknown): string | null;
  missingTokenMessage: string;
}

/** Receives a request and its raw token; calls `done` with an error, `false`, or the user. */
export type VerifyToken = (request: any, rawToken: string, done: (error: unknown, user?: unknown) => void) => void;

/**
 * The passport strategy under `KeysmithStrategy`: it reads the raw token and hands it to `verify`.
 * A request without a token fails, so that the next strategy of `AuthGuard([...])` is tried; a
 * token that `verify` refuses is an error, which ends the attempt with the refusal. Passport needs
 * no base class, only `authenticate`, so `passport` itself is never imported.
 */
export class KeysmithPassportStrategy {
  // `verify` comes last: @nestjs/passport's `PassportStrategy` appends it to the arguments.
  constructor(
    private readonly reader: TokenReader,
    private readonly verify: VerifyToken,
  ) {}

  authenticate(this: KeysmithPassportStrategy & PassportActions, request: unknown): void {
    const rawToken = this.reader.readToken(request);
    if (rawToken === null) return this.fail(this.reader.missingTokenMessage, 401);
    this.verify(request, rawToken, (error, user) => {
      if (error) this.error(error);
      else if (user) this.success(user);
      else this.fail(this.reader.missingTokenMessage, 401);
    });
  }
}
