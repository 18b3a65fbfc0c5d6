import type { FastifyInstance } from 'fastify';
import type { CatalogReadContext } from '../context.js';

/** GET /v1/search and GET /v1/suggest. Being built: see the read-side issue. */
export function searchRoutes(_app: FastifyInstance, _context: CatalogReadContext): void {}
