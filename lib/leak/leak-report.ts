import { BadRequestException } from '@nestjs/common';

/** One match of a report, as GitHub's secret scanning sends it. */
export interface LeakReportEntry {
  token: string;
  type: string;
  /** Where the token was found. */
  url: string | null;
  /** What kind of place (`content`, `commit`, `pull_request_description`, ...). */
  source: string | null;
}

/** The report's entries: a JSON array of `{ token, type, url?, source? }`, or `BadRequestException`. */
export function parseLeakReport(body: Buffer): LeakReportEntry[] {
  let report: unknown;
  try {
    report = JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequestException('The report is not JSON.');
  }
  if (!Array.isArray(report)) throw new BadRequestException('The report must be a JSON array of { token, type, url, source }.');
  return report.map((entry: unknown, index) => {
    const { token, type, url, source } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const optionalText = (value: unknown) => value === undefined || value === null || typeof value === 'string';
    if (typeof token !== 'string' || typeof type !== 'string' || !optionalText(url) || !optionalText(source)) {
      throw new BadRequestException(`Entry ${index} of the report must have a string token and type, and a string url and source if any.`);
    }
    return { token, type, url: url ?? null, source: source ?? null };
  });
}
