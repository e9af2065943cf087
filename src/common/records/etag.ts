import { BadRequestError } from '../errors/domain-error';

/** What the caller asked us to check before writing. */
export interface WritePreconditions {
  /** Versions from If-Match; '*' means "must exist". */
  ifMatch?: number[] | '*';
  /** If-None-Match: * means "must not exist yet". */
  ifNoneMatchAny?: boolean;
}

/** The strong entity tag for a record version. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** Reads If-Match / If-None-Match headers. Weak tags never match (RFC 9110 strong comparison for writes). */
export function parseWritePreconditions(ifMatch: string | undefined, ifNoneMatch: string | undefined): WritePreconditions {
  const preconditions: WritePreconditions = {};
  if (ifMatch !== undefined) preconditions.ifMatch = parseIfMatch(ifMatch);
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') {
      throw new BadRequestError('invalid_precondition', 'Only "If-None-Match: *" is supported on writes.');
    }
    preconditions.ifNoneMatchAny = true;
  }
  return preconditions;
}

function parseIfMatch(header: string): number[] | '*' {
  if (header.trim() === '*') return '*';
  const versions: number[] = [];
  for (const part of header.split(',')) {
    const tag = part.trim();
    if (tag.startsWith('W/')) continue;
    const match = /^"(\d{1,15})"$/.exec(tag);
    if (!match) throw new BadRequestError('invalid_precondition', 'If-Match must hold entity tags like "3" (as sent in ETag).');
    versions.push(Number(match[1]));
  }
  return versions;
}

/** True when the current version satisfies If-Match (absent record: only a missing If-Match passes). */
export function ifMatchSatisfied(ifMatch: WritePreconditions['ifMatch'], currentVersion: number | null): boolean {
  if (ifMatch === undefined) return true;
  if (currentVersion === null) return false;
  return ifMatch === '*' || ifMatch.includes(currentVersion);
}
