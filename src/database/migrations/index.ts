import { Foundation1764000000000 } from './1764000000000-foundation';

/** Every migration, in order. Add new ones at the end. */
export const allMigrations = [Foundation1764000000000];
