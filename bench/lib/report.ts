import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ScenarioLine {
  scenario: string;
  figure: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  target: string;
  met: boolean | null;
  notes?: Record<string, unknown>;
}

const lines: ScenarioLine[] = [];

export function report(line: ScenarioLine): void {
  lines.push(line);
  const base = line.baseline === undefined ? '' : ` | baseline ${line.baseline.toFixed(2)} ${line.unit}`;
  const ratio = line.ratio === undefined ? '' : ` | ratio ${line.ratio.toFixed(2)}`;
  const verdict = line.met === null ? 'report' : line.met ? 'MET' : 'NOT MET';
  process.stdout.write(
    `${line.scenario}: ${line.figure} ${line.value.toFixed(2)} ${line.unit}${base}${ratio} | target ${line.target} | ${verdict}\n`,
  );
}

export function writeResults(meta: Record<string, unknown>): string {
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  writeFileSync(file, JSON.stringify({ ...meta, at: new Date().toISOString(), lines }, null, 2));
  return file;
}
