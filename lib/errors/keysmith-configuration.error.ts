/** A bad `KeysmithModule` option, thrown while the application starts. */
export class KeysmithConfigurationError extends Error {
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`Invalid KeysmithModule option "${option}": ${problem}`);
    this.name = 'KeysmithConfigurationError';
  }
}
