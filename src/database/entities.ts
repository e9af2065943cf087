import { ApiKey } from '../auth/api-key.entity';

/** Every TypeORM entity of the app. Add new ones here. */
export const allEntities = [ApiKey];
