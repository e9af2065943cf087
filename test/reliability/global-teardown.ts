import { formatSummary, LATEST_FILE, readParts, writeLatest } from './figures';

export default function globalTeardown(): void {
  const started = (globalThis as { __reliabilityStarted?: number }).__reliabilityStarted ?? Date.now();
  const totalMs = Date.now() - started;
  const parts = readParts();
  if (Object.keys(parts).length === 0) return;
  writeLatest(parts, totalMs);
  process.stdout.write(`\n${formatSummary(parts, totalMs)}\n(written to ${LATEST_FILE})\n`);
}
