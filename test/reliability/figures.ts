import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What one suite counted. Every suite adds to its own part file; the global teardown sums them up. */
export interface SuiteFigures {
  /** HTTP requests sent to the app */
  requests: number;
  /** upstream faults the simulator was told to inject (or process kills, for the crash suite) */
  faultsInjected: number;
  /** answers with a status ≥ 500 that the suite did not ask for (strict reads asked for them) */
  unexpected5xx: number;
  /** acknowledged writes that could not be read back */
  recordsLost: number;
  /** anything else worth reading in the summary */
  notes: Record<string, number | string>;
  durationMs: number;
}

export const RESULTS_DIR = join(__dirname, 'results');
const PARTS_DIR = join(RESULTS_DIR, 'parts');
export const LATEST_FILE = join(RESULTS_DIR, 'latest.json');

function empty(): SuiteFigures {
  return { requests: 0, faultsInjected: 0, unexpected5xx: 0, recordsLost: 0, notes: {}, durationMs: 0 };
}

/** A suite's counters. `flush()` (call it in afterAll) writes them where the global teardown finds them. */
export class FigureCounter {
  readonly figures: SuiteFigures = empty();
  private readonly started = Date.now();

  constructor(private readonly suite: string) {}

  request(status: number, options: { expected5xx?: boolean } = {}): void {
    this.figures.requests++;
    if (status >= 500 && !options.expected5xx) this.figures.unexpected5xx++;
  }

  note(name: string, value: number | string): void {
    this.figures.notes[name] = value;
  }

  add(name: string, by = 1): void {
    const current = this.figures.notes[name];
    this.figures.notes[name] = (typeof current === 'number' ? current : 0) + by;
  }

  flush(): void {
    this.figures.durationMs = Date.now() - this.started;
    mkdirSync(PARTS_DIR, { recursive: true });
    writeFileSync(join(PARTS_DIR, `${this.suite}.json`), JSON.stringify(this.figures, null, 2));
  }
}

export function clearParts(): void {
  rmSync(PARTS_DIR, { recursive: true, force: true });
}

export function readParts(): Record<string, SuiteFigures> {
  if (!existsSync(PARTS_DIR)) return {};
  const parts: Record<string, SuiteFigures> = {};
  for (const file of readdirSync(PARTS_DIR).sort()) {
    if (file.endsWith('.json'))
      parts[file.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(PARTS_DIR, file), 'utf8')) as SuiteFigures;
  }
  return parts;
}

/** The plain summary block printed at the end of the run. */
export function formatSummary(parts: Record<string, SuiteFigures>, totalMs: number): string {
  const rows = Object.entries(parts);
  const total = rows.reduce((sum, [, f]) => {
    sum.requests += f.requests;
    sum.faultsInjected += f.faultsInjected;
    sum.unexpected5xx += f.unexpected5xx;
    sum.recordsLost += f.recordsLost;
    return sum;
  }, empty());
  const pad = (value: string | number, width: number): string => String(value).padStart(width);
  const lines = [
    '================ reliability figures ================',
    `${'suite'.padEnd(22)}${pad('requests', 10)}${pad('faults', 8)}${pad('5xx', 6)}${pad('lost', 6)}${pad('seconds', 9)}`,
    ...rows.map(
      ([suite, f]) =>
        `${suite.padEnd(22)}${pad(f.requests, 10)}${pad(f.faultsInjected, 8)}${pad(f.unexpected5xx, 6)}${pad(f.recordsLost, 6)}${pad((f.durationMs / 1000).toFixed(1), 9)}`,
    ),
    `${'total'.padEnd(22)}${pad(total.requests, 10)}${pad(total.faultsInjected, 8)}${pad(total.unexpected5xx, 6)}${pad(total.recordsLost, 6)}${pad((totalMs / 1000).toFixed(1), 9)}`,
    ...rows.flatMap(([suite, f]) => Object.entries(f.notes).map(([name, value]) => `  ${suite}.${name}: ${value}`)),
    '======================================================',
  ];
  return lines.join('\n');
}

export function writeLatest(parts: Record<string, SuiteFigures>, totalMs: number): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const totals = Object.values(parts).reduce(
    (sum, f) => ({
      requests: sum.requests + f.requests,
      faultsInjected: sum.faultsInjected + f.faultsInjected,
      unexpected5xx: sum.unexpected5xx + f.unexpected5xx,
      recordsLost: sum.recordsLost + f.recordsLost,
    }),
    { requests: 0, faultsInjected: 0, unexpected5xx: 0, recordsLost: 0 },
  );
  writeFileSync(
    LATEST_FILE,
    JSON.stringify({ finishedAt: new Date().toISOString(), durationMs: totalMs, totals, suites: parts }, null, 2) + '\n',
  );
}
