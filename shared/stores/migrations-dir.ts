import { infraPath } from '../paths.js';

export const postgresMigrationsDir = infraPath('postgres', 'migrations');
