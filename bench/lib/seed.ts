import { call } from './processes';

/** Ten profile fields of mixed types; `team` and `score` are searchable. */
export const PROFILE_FIELDS = [
  { key: 'team', label: 'Team', type: 'string', searchable: true },
  { key: 'score', label: 'Score', type: 'integer', min: 0, max: 1000, searchable: true },
  { key: 'nickname', label: 'Nickname', type: 'string' },
  { key: 'bio', label: 'Bio', type: 'text' },
  { key: 'joined', label: 'Joined', type: 'date' },
  { key: 'last_seen', label: 'Last seen', type: 'datetime' },
  { key: 'newsletter', label: 'Newsletter', type: 'boolean' },
  { key: 'level', label: 'Level', type: 'enum', options: ['junior', 'mid', 'senior'] },
  { key: 'ratio', label: 'Ratio', type: 'number' },
  { key: 'homepage', label: 'Homepage', type: 'url' },
];

export const TEAMS = 200;

export function profileFields(i: number): Record<string, unknown> {
  return {
    team: `team-${i % TEAMS}`,
    score: i % 1000,
    nickname: `learner ${i}`,
    bio: `Learner number ${i}, who likes benchmarks.`,
    joined: `2025-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
    last_seen: '2026-11-01T10:00:00.000Z',
    newsletter: i % 2 === 0,
    level: ['junior', 'mid', 'senior'][i % 3],
    ratio: (i % 100) / 7,
    homepage: `https://example.org/u/${i}`,
  };
}

export async function defineProfileFields(base: string): Promise<void> {
  for (const field of PROFILE_FIELDS) {
    const answer = await call(base, 'POST', '/v1/admin/fields/profile', field);
    if (answer.status !== 201) throw new Error(`define ${field.key}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

/** Imports profiles user-1 … user-N through the NDJSON import, in chunks. */
export async function importProfiles(base: string, count: number, chunk = 10_000): Promise<void> {
  for (let start = 1; start <= count; start += chunk) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(start + chunk, count + 1); i++)
      lines.push(JSON.stringify({ uuid: `user-${i}`, fields: profileFields(i) }));
    const answer = await call(base, 'POST', '/v1/profiles:import', lines.join('\n'));
    if (answer.status !== 200 || answer.body.totals.invalid > 0)
      throw new Error(`import: ${answer.status} ${JSON.stringify(answer.body?.totals ?? answer.body)}`);
  }
}
