export const ROLES = ['admin', 'service', 'sync'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the API key by the guard. */
export interface Caller {
  keyId: string;
  role: Role;
}
